import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecRequest } from '../../../src/exec/types.js';
import { defaultExpectations } from '../../../src/suite/expect.js';
import type { TimeoutPlan, TimeoutPlanner } from '../../../src/timeouts/types.js';

export const expectations = defaultExpectations;

export function plan(maxMs: number, stallMs: number, extension = { times: 0, byMs: 0 }): TimeoutPlan {
  return {
    maxMs,
    stallMs,
    maxSource: { origin: 'suite', detail: 'test max' },
    stallSource: { origin: 'suite', detail: 'test stall' },
    extension,
  };
}

/** A planner that hands out fixed limits and remembers what it was asked. */
export class FixedPlanner implements TimeoutPlanner {
  readonly asked: Parameters<TimeoutPlanner['plan']>[0][] = [];
  constructor(private readonly limits: TimeoutPlan = plan(30_000, 10_000)) {}
  async plan(task: Parameters<TimeoutPlanner['plan']>[0]): Promise<TimeoutPlan> {
    this.asked.push(task);
    const result = { ...this.limits };
    if (task.timeout.max !== undefined) result.maxMs = task.timeout.max * 1000;
    if (task.timeout.stall !== undefined) result.stallMs = task.timeout.stall * 1000;
    return result;
  }
}

let logDir: string | undefined;
let sequence = 0;

export function request(overrides: Partial<ExecRequest> = {}): ExecRequest {
  logDir ??= mkdtempSync(join(tmpdir(), 'ws-exec-'));
  sequence += 1;
  return {
    taskId: `task-${sequence}`,
    attempt: 1,
    argv: ['echo', 'hello'],
    shell: false,
    cwd: process.cwd(),
    env: {},
    agent: 'none',
    expect: expectations(),
    plan: plan(20_000, 10_000),
    logPath: join(logDir, `task-${sequence}.log`),
    ...overrides,
  };
}
