import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import type { ExecResult } from '../../src/exec/types.js';
import { computeTotals, successRate, verdictOf } from '../../src/report/merge.js';
import type { AttemptStart, RunStartInfo } from '../../src/report/types.js';
import {
  type AttemptResult,
  REPORT_SCHEMA_VERSION,
  type RunReport,
  type TaskResult,
} from '../../src/run/types.js';
import { defaultExpectations } from '../../src/suite/expect.js';
import type { Suite, TaskSpec } from '../../src/suite/types.js';

export const plain = new Chalk({ level: 0 });
export const colored = new Chalk({ level: 1 });

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

export function attempt(overrides: Partial<AttemptResult> = {}): AttemptResult {
  const durationMs = overrides.durationMs ?? 1500;
  const reason = overrides.reason ?? 'passed';
  return {
    attempt: 1,
    command: 'fake-agent --seed 1',
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + durationMs).toISOString(),
    durationMs,
    limits: {
      maxMs: 60_000,
      stallMs: 20_000,
      max: { origin: 'learned', detail: 'p99 bound of 48 runs x 1.5' },
      stall: { origin: 'config-default', detail: 'config limits.defaultStallSeconds' },
      extensions: 0,
    },
    reason,
    exitCode: reason === 'passed' ? 0 : reason === 'failed' ? 1 : null,
    signal: reason === 'timed-out' || reason === 'stalled' ? 'SIGKILL' : null,
    messages: reason === 'passed' ? [] : [`${reason}: evidence`],
    outputTail: 'last line of output',
    logPath: 'reports/logs/task.log',
    longestSilenceMs: 300,
    executor: 'local',
    ...overrides,
  };
}

/** A task whose reason, flakiness and duration follow from its attempts, as the scheduler builds them. */
export function task(id: string, attempts: AttemptResult[], extra: Partial<TaskResult> = {}): TaskResult {
  const numbered = attempts.map((a, index) => ({ ...a, attempt: index + 1 }));
  const last = numbered.at(-1);
  const reason = last?.reason ?? 'cancelled';
  return {
    id,
    name: `Task ${id}`,
    attempts: numbered,
    reason,
    flaky: reason === 'passed' && numbered.length > 1,
    durationMs: numbered.reduce((sum, a) => sum + a.durationMs, 0),
    ...extra,
  };
}

export function report(tasks: TaskResult[], overrides: Partial<RunReport> = {}): RunReport {
  const interrupted = overrides.interrupted ?? false;
  const target = overrides.target ?? 0.9;
  const totals = computeTotals(tasks);
  const rate = successRate(totals, interrupted);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'cc-stress', version: '0.1.0' },
    suite: { name: 'demo', file: '/suites/demo.yaml' },
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 42_000).toISOString(),
    durationMs: 42_000,
    interrupted,
    tasks,
    totals,
    successRate: rate,
    target,
    verdict: verdictOf(rate, target, interrupted),
    ...overrides,
  };
}

export function spec(id: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id,
    baseId: id,
    name: `Task ${id}`,
    argv: ['fake-agent'],
    shell: false,
    cwd: '/tmp',
    env: {},
    agent: 'none',
    retries: 0,
    timeout: {},
    expect: defaultExpectations(),
    repeatIndex: 1,
    ...overrides,
  };
}

export function startInfo(tasks: TaskSpec[], target = 0.9): RunStartInfo {
  const suite: Suite = {
    name: 'demo',
    file: '/suites/demo.yaml',
    defaults: { concurrency: 2, retries: 0, target },
    tasks,
  };
  return { suite, tasks, concurrency: 2, target, outDir: 'reports' };
}

export function attemptStart(taskSpec: TaskSpec, attemptNumber = 1): AttemptStart {
  return { task: taskSpec, attempt: attemptNumber, limits: attempt().limits };
}

export function raw(result: AttemptResult): ExecResult {
  return {
    termination: result.reason === 'timed-out' ? 'max' : result.reason === 'stalled' ? 'stall' : 'exit',
    exitCode: result.exitCode,
    signal: result.signal,
    startedAt: Date.parse(result.startedAt),
    endedAt: Date.parse(result.endedAt),
    durationMs: result.durationMs,
    longestSilenceMs: result.longestSilenceMs,
    stdoutBytes: 10,
    stderrBytes: 0,
    outputHead: '',
    outputTail: result.outputTail,
    logPath: result.logPath,
    failures: result.messages,
    retryLater: false,
    extensions: 0,
  };
}

/** A stream that remembers what was written; `tty` makes it look like a terminal to cli-progress. */
export class Capture extends Writable {
  readonly chunks: string[] = [];
  isTTY: boolean;
  columns: number;
  rows: number;

  constructor(options: { tty?: boolean; columns?: number; rows?: number } = {}) {
    super();
    this.isTTY = options.tty ?? false;
    this.columns = options.columns ?? 100;
    this.rows = options.rows ?? 30;
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.chunks.push(chunk.toString());
    callback();
  }

  text(): string {
    return this.chunks.join('');
  }

  lines(): string[] {
    return this.text()
      .split('\n')
      .filter((line) => line !== '');
  }
}

/** Characters a task or a suite author can put into names, messages and output. */
export const HOSTILE =
  'a\nb\r\nc\t<script>alert("x")</script> & \'q\' ]]> \u0000\u0001\u0007\u001b[31mred\u001b[0m \uD800 \uDFFF \uFFFE\uFFFF 🙂 end';

/**
 * Any string, with the characters that break XML and terminals made common: controls, lone surrogates,
 * non-characters, markup. (fast-check's own 'binary' unit is far slower to start.)
 */
export function anyText(maxLength: number): fc.Arbitrary<string> {
  const special = fc.constantFrom(
    0x00,
    0x01,
    0x07,
    0x09,
    0x0a,
    0x0d,
    0x1b,
    0x7f,
    0x85,
    0xd800,
    0xdbff,
    0xdc00,
    0xdfff,
    0xfffe,
    0xffff,
    0x3c,
    0x3e,
    0x26,
    0x22,
    0x27,
    0x5d,
    0x1f642,
  );
  const unit = fc
    .oneof(special, fc.integer({ min: 0x20, max: 0x7e }), fc.nat(0x10ffff))
    .map((code) => String.fromCodePoint(code));
  return fc.string({ unit, maxLength });
}
