import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor, type LocalExecutorOptions } from '../../../src/exec/local/local-executor.js';
import type { ExecRequest } from '../../../src/exec/types.js';
import { defaultExpectations } from '../../../src/suite/expect.js';
import type { Expectations } from '../../../src/suite/types.js';
import type { TimeoutPlan } from '../../../src/timeouts/types.js';

/** Any exit code passes: these tests judge how a process ended, not whether it succeeded. */
export const noExpectations: Expectations = defaultExpectations({ exitCode: [] });

export function plan(
  limits: { maxMs?: number; stallMs?: number; times?: number; byMs?: number } = {},
): TimeoutPlan {
  const maxMs = limits.maxMs ?? 20_000;
  return {
    maxMs,
    stallMs: Math.min(limits.stallMs ?? maxMs, maxMs),
    maxSource: { origin: 'suite', detail: 'test max' },
    stallSource: { origin: 'suite', detail: 'test stall' },
    extension: { times: limits.times ?? 0, byMs: limits.byMs ?? 0 },
  };
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'cc-stress-exec-'));
}

let counter = 0;

/** A marker in the task's environment, inherited by everything it starts, to find its processes in /proc. */
export function newMark(): string {
  return `mark-${process.pid}-${++counter}-${Math.random().toString(36).slice(2)}`;
}

export function request(
  dir: string,
  argv: string[],
  overrides: Partial<ExecRequest> & { mark?: string } = {},
): ExecRequest {
  const { mark, ...rest } = overrides;
  return {
    taskId: 'task',
    attempt: 1,
    argv,
    shell: false,
    cwd: dir,
    env: mark ? { CC_TEST_MARK: mark } : {},
    agent: 'none',
    expect: noExpectations,
    plan: plan(),
    logPath: join(dir, `logs/${++counter}.log`),
    ...rest,
  };
}

export function shell(dir: string, script: string, overrides: Partial<ExecRequest> & { mark?: string } = {}) {
  return request(dir, [script], { shell: true, ...overrides });
}

export function executor(options: Partial<LocalExecutorOptions> = {}): LocalExecutor {
  return new LocalExecutor({ graceMs: 300, headBytes: 1024, tailBytes: 1024, pollMs: 50, ...options });
}

export interface SeenProcess {
  pid: number;
  ppid: number;
  state: string;
  command: string;
  /** Session id: a process that called setsid leads its own session (sid === pid). */
  sid: number;
}

/** Every process in /proc that `select` picks by its pid (a read of its /proc files), zombies included. */
function processesWhere(select: (pid: string) => boolean): SeenProcess[] {
  const found: SeenProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!select(name)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      found.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        state: fields[0] ?? '?',
        command: stat.slice(stat.indexOf('(') + 1, close),
        sid: Number(fields[3]),
      });
    } catch {
      // Gone between readdir and read, or not ours.
    }
  }
  return found;
}

/** Every process in /proc whose environment carries the marker, zombies included. */
export function markedProcesses(mark: string): SeenProcess[] {
  return processesWhere((pid) =>
    readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`CC_TEST_MARK=${mark}`),
  );
}

/**
 * Processes of a task that still run. A zombie's environment is unreadable, so zombies are found by
 * parent instead (see zombieChildren).
 */
export function liveMarked(mark: string): SeenProcess[] {
  return markedProcesses(mark).filter((p) => p.state !== 'Z');
}

/** Live processes whose command line holds `text` (a guardian carries its runner's token there). */
export function liveWithArgument(text: string): SeenProcess[] {
  return processesWhere((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(text)).filter(
    (p) => p.state !== 'Z',
  );
}

/** Zombies whose parent is this test process: those would be the runner's fault. */
export function zombieChildren(): SeenProcess[] {
  return processesWhere(() => true).filter((p) => p.state === 'Z' && p.ppid === process.pid);
}

export function readLog(path: string): string {
  return readFileSync(path, 'utf8');
}
