import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import { createExpectationTracker } from '../../../src/exec/output/expectations.js';
import type { AgentEvent } from '../../../src/exec/types.js';
import { defaultExpectations } from '../../../src/suite/expect.js';
import type { AgentKind } from '../../../src/suite/types.js';
import { runFakeAgent } from '../../fake-agent/support.js';

const ARGS: Record<Exclude<AgentKind, 'none'>, string[]> = {
  claude: ['-p', 'do it', '--output-format', 'stream-json', '--verbose'],
  codex: ['exec', '--json', 'do it', '--fake-format', 'codex'],
  gemini: ['-p', 'do it', '-o', 'stream-json', '--fake-format', 'gemini'],
};

/** Runs the real fake agent and feeds its output to the adapter and an expectation tracker, line by line. */
async function session(kind: Exclude<AgentKind, 'none'>, ...fake: string[]) {
  const run = await runFakeAgent([...ARGS[kind], '--fake-duration', '300ms', '--fake-seed', '8', ...fake]);
  const adapter = createAgentAdapter(kind);
  const tracker = createExpectationTracker(defaultExpectations(), kind);
  const events: AgentEvent[] = [];
  for (const line of run.lines) {
    events.push(...adapter.onLine(line.stream, line.text));
    tracker.onLine(line.stream, line.text);
  }
  const finished = adapter.finished();
  const failures = tracker.verdict({
    exitCode: run.exitCode,
    totalBytes: Buffer.byteLength(run.stdout) + Buffer.byteLength(run.stderr),
    finished,
  });
  return { run, events, finished, failures };
}

describe.concurrent.each(['claude', 'codex', 'gemini'] as const)(
  '%s adapter on real fake-agent output',
  (kind) => {
    it('sees a started, turns, paired tools and an ok finish', async () => {
      const { events, finished, failures } = await session(kind, '--fake-turns', '3');
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('started');
      expect(types.at(-1)).toBe('finished');
      expect(types).toContain('turn');
      expect(types.filter((t) => t === 'tool-start')).toHaveLength(2);
      expect(types.filter((t) => t === 'tool-end')).toHaveLength(2);
      expect(finished).toMatchObject({ ok: true, retryLater: false });
      expect(failures).toEqual([]);
    });

    it('marks a rate-limited session as failed but worth retrying later', async () => {
      const { events, finished, failures } = await session(
        kind,
        '--fake-fail',
        'rate-limit',
        '--fake-retries',
        '2',
      );
      // Codex also repeats the final error as a top-level error line before turn.failed.
      expect(events.filter((e) => e.type === 'api-error' && !e.fatal).length).toBeGreaterThanOrEqual(2);
      expect(events.filter((e) => e.type === 'api-error' && e.fatal)).toHaveLength(1);
      // Retry notices show the agent alive but no work done.
      expect(events.filter((e) => e.type === 'keep-alive').length).toBeGreaterThanOrEqual(2);
      expect(finished).toMatchObject({ ok: false, retryLater: true });
      expect(failures.length).toBeGreaterThan(0);
    });

    it('marks a turn-limited session as failed and not a rate limit', async () => {
      const { finished } = await session(kind, '--fake-fail', 'max-turns');
      expect(finished).toMatchObject({ ok: false, retryLater: false });
    });

    it('has no finished event when the agent crashes mid-stream', async () => {
      const { finished, failures, run } = await session(kind, '--fake-fail', 'crash:exit');
      expect(run.exitCode).toBe(139);
      expect(finished).toBeUndefined();
      expect(failures).toContain('no final result event (the agent ended without a result line)');
    });
  },
);

describe('claude adapter on real fake-agent output', () => {
  it('sees the long tool as a heartbeat pair inside tool-start / tool-end', async () => {
    const { events } = await session('claude', '--fake-turns', '2', '--fake-tool-duration', '200ms');
    const types = events.map((e) => (e.type === 'heartbeat' ? `heartbeat:${e.what}` : e.type));
    const start = types.indexOf('tool-start');
    expect(types.slice(start, start + 4)).toEqual([
      'tool-start',
      'heartbeat:task_started',
      'heartbeat:task_notification',
      'tool-end',
    ]);
  });
});
