import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import type { AgentEvent } from '../../../src/exec/types.js';
import { type Recording, recording, recordingsOf } from '../../helpers/recorded-cli.js';

/**
 * The gemini adapter on what the real Gemini CLI 0.61.0 printed in each scenario of the fake API, stderr
 * included: its retries show there only.
 */

const CLI = 'gemini-0.61.0';

function feed(rec: Recording) {
  const adapter = createAgentAdapter('gemini');
  // Retries are logged on stderr before the final result line on stdout.
  const events: AgentEvent[] = [
    ...rec.stderr.split('\n').flatMap((line) => adapter.onLine('stderr', line)),
    ...rec.lines.flatMap((line) => adapter.onLine('stdout', line)),
  ];
  return { events, finished: adapter.finished() };
}

const types = (events: AgentEvent[]) => events.map((e) => e.type);

describe('gemini adapter on recorded real output', () => {
  it('has a recording of every scenario', () => {
    expect(recordingsOf(CLI).map((r) => r.scenario)).toEqual([
      'bad-request',
      'dead-stream',
      'dropped',
      'long-think',
      'long-tool',
      'normal',
      'server-error',
      'storm-429',
      'storm-503',
      'trickle',
    ]);
  });

  it.each(['normal', 'long-think', 'trickle'])(
    '%s: started, one assistant turn, an ok finish on result success with exit 0',
    (scenario) => {
      const rec = recording(CLI, scenario);
      const { events, finished } = feed(rec);
      expect(
        types(events).filter((type) => type !== 'heartbeat' && type !== 'keep-alive' && type !== 'content'),
      ).toEqual(['started', 'turn', 'finished']);
      expect(finished).toMatchObject({ ok: true, retryLater: false, raw: { status: 'success' } });
      expect(rec.exitCode).toBe(0);
    },
  );

  it('long-tool: a turn, the shell command as a tool start and end, a second turn, an ok finish', () => {
    const { events, finished } = feed(recording(CLI, 'long-tool'));
    const kinds = types(events).filter(
      (type) => type !== 'heartbeat' && type !== 'keep-alive' && type !== 'content',
    );
    expect(kinds).toEqual(['started', 'turn', 'tool-start', 'tool-end', 'turn', 'finished']);
    expect(events).toContainEqual({ type: 'tool-start', name: 'run_shell_command' });
    expect(finished).toMatchObject({ ok: true });
  });

  it.each([
    ['storm-429', 429],
    ['storm-503', 503],
  ])('%s: a retry on stderr, then a failed result to retry later with status %i', (scenario, status) => {
    const rec = recording(CLI, scenario);
    const { events, finished } = feed(rec);
    expect(events).toContainEqual({ type: 'api-error', status, fatal: false });
    expect(finished).toMatchObject({ ok: false, retryLater: true, status });
    // Gemini CLI exits with the HTTP status, cut to a byte.
    expect(rec.exitCode).toBe(status % 256);
  });

  it.each([
    ['bad-request', 400],
    ['server-error', 500],
  ])('%s: a failed result with status %i, not to retry', (scenario, status) => {
    const rec = recording(CLI, scenario);
    const { finished } = feed(rec);
    expect(finished).toMatchObject({ ok: false, retryLater: false, status });
    expect(rec.exitCode).toBe(status % 256);
  });

  it('dropped: a failed result ("terminated") without a status', () => {
    const rec = recording(CLI, 'dropped');
    const { finished } = feed(rec);
    expect(finished).toMatchObject({ ok: false, retryLater: false, status: null });
    expect(rec.exitCode).toBe(1);
  });

  it('dead-stream: started and the first delta, no finish before it was stopped', () => {
    const rec = recording(CLI, 'dead-stream');
    const { events, finished } = feed(rec);
    expect(
      types(events).filter((type) => type !== 'heartbeat' && type !== 'keep-alive' && type !== 'content'),
    ).toEqual(['started', 'turn']);
    expect(finished).toBeUndefined();
  });
});
