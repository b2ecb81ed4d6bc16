import { describe, expect, it } from 'vitest';
import { Multiplexer } from '../../src/report/multiplexer.js';
import type { Reporter } from '../../src/report/types.js';
import type { RunReport } from '../../src/run/types.js';
import { attempt, attemptStart, raw, report, spec, startInfo } from './fixtures.js';

/** Records the hooks it receives. */
class Recorder implements Reporter {
  readonly events: string[] = [];
  readonly warnings: string[] = [];
  constructor(readonly name: string) {}
  onBegin(): void {
    this.events.push('begin');
  }
  onTaskBegin(): void {
    this.events.push('task-begin');
  }
  onTaskStatus(): void {
    this.events.push('status');
  }
  onTaskEnd(): void {
    this.events.push('task-end');
  }
  onWarning(message: string): void {
    this.warnings.push(message);
  }
  async onEnd(_report: RunReport): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.events.push('end');
  }
}

function driveAll(reporter: Reporter): Promise<void> {
  const t = spec('a');
  const result = attempt();
  reporter.onBegin?.(startInfo([t]));
  reporter.onTaskBegin?.(attemptStart(t));
  reporter.onTaskStatus?.(t, 1, {
    elapsedMs: 1,
    sinceProgressMs: 1,
    maxMs: 2,
    stallMs: 2,
    lastProgress: 'stdout',
  });
  reporter.onTaskEnd?.(t, result, raw(result), false);
  return Promise.resolve(reporter.onEnd?.(report([])));
}

describe('Multiplexer', () => {
  it('forwards every hook to every reporter and waits for all of them at the end', async () => {
    const one = new Recorder('one');
    const two = new Recorder('two');
    await driveAll(new Multiplexer([one, two, {}]));
    for (const r of [one, two])
      expect(r.events).toEqual(['begin', 'task-begin', 'status', 'task-end', 'end']);
  });

  it('keeps the others going when a reporter throws, and warns once about it', async () => {
    const broken: Reporter = {
      onBegin: () => {
        throw new Error('bad terminal');
      },
      onTaskEnd: () => {
        throw new Error('again');
      },
    };
    const healthy = new Recorder('healthy');
    const fallback: string[] = [];
    await driveAll(new Multiplexer([broken, healthy], { warn: (m) => fallback.push(m) }));
    expect(healthy.events).toEqual(['begin', 'task-begin', 'status', 'task-end', 'end']);
    expect(healthy.warnings).toEqual([
      'reporter #1 failed in onBegin: bad terminal; its output may be incomplete',
    ]);
    expect(fallback).toEqual([]);
  });

  it('reports a failed file write at the end to the reporters that follow', async () => {
    const json: Reporter & { name: string } = {
      name: 'json',
      onEnd: async () => {
        throw new Error('EACCES: permission denied');
      },
    };
    const summary = new Recorder('summary');
    await driveAll(new Multiplexer([json, summary]));
    expect(summary.warnings).toEqual([
      'reporter json failed in onEnd: EACCES: permission denied; its output may be incomplete',
    ]);
    expect(summary.events.at(-1)).toBe('end');
  });

  it('sends warnings nobody prints to the fallback, so none is lost', async () => {
    const fallback: string[] = [];
    const mux = new Multiplexer([{ onEnd: () => undefined }], { warn: (m) => fallback.push(m) });
    mux.onWarning('history: Redis unreachable');
    expect(fallback).toEqual(['history: Redis unreachable']);
  });

  it('survives a reporter whose warning hook throws', () => {
    const fallback: string[] = [];
    const loud: Reporter = {
      onWarning: () => {
        throw new Error('no');
      },
    };
    const quiet = new Recorder('quiet');
    new Multiplexer([loud, quiet], { warn: (m) => fallback.push(m) }).onWarning('w');
    expect(quiet.warnings).toEqual(['w']);
    expect(fallback).toEqual([]);
  });
});
