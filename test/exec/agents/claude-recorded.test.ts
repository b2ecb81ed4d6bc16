import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import type { AgentEvent } from '../../../src/exec/types.js';
import { type Recording, recording, recordingsOf } from '../../helpers/recorded-cli.js';

/** The claude adapter on what the real Claude Code 2.1.332 printed in each scenario of the fake API. */

const CLI = 'claude-2.1.332';

function feed(rec: Recording) {
  const adapter = createAgentAdapter('claude');
  const events: AgentEvent[] = rec.lines.flatMap((line) => adapter.onLine('stdout', line));
  return { events, finished: adapter.finished() };
}

/** Events that shape a session; signs of life (heartbeats, keep-alives) are checked apart, by what they say. */
const STRUCTURAL: ReadonlySet<string> = new Set([
  'started',
  'turn',
  'tool-start',
  'tool-end',
  'api-error',
  'finished',
]);
const structural = (events: AgentEvent[]) => events.filter((e) => STRUCTURAL.has(e.type));
const types = (events: AgentEvent[]) => structural(events).map((e) => e.type);
/** Signs of life that say the CLI is waiting (retries) or working outside the model (tasks), in order. */
const signsOfLife = (events: AgentEvent[]) =>
  events.flatMap((e) => {
    const what = (e as { what?: unknown }).what;
    return !STRUCTURAL.has(e.type) && (what === 'api_retry' || String(what).startsWith('task_'))
      ? [String(what)]
      : [];
  });

describe('claude adapter on recorded real output', () => {
  it('has a recording of every scenario', () => {
    expect(recordingsOf(CLI).map((r) => r.scenario)).toEqual([
      'bad-request',
      'dead-stream',
      'dropped',
      'dropped-silent',
      'long-think',
      'long-tool',
      'normal',
      'server-error',
      'storm-429',
      'storm-529',
      'trickle',
    ]);
  });

  it.each(['normal', 'long-think', 'trickle'])(
    '%s: started, one turn, an ok finish with exit 0',
    (scenario) => {
      const rec = recording(CLI, scenario);
      const { events, finished } = feed(rec);
      expect(types(events)).toEqual(['started', 'turn', 'finished']);
      expect(finished).toMatchObject({ ok: true, retryLater: false });
      expect(rec.exitCode).toBe(0);
    },
  );

  it('long-tool: the Bash call, its task heartbeats and result, a second turn, an ok finish', () => {
    const { events, finished } = feed(recording(CLI, 'long-tool'));
    expect(structural(events)).toEqual([
      { type: 'started' },
      { type: 'turn' },
      { type: 'tool-start', name: 'Bash' },
      { type: 'tool-end' },
      { type: 'turn' },
      expect.objectContaining({ type: 'finished', ok: true }),
    ]);
    expect(signsOfLife(events)).toEqual(['task_started', 'task_notification']);
    expect(finished?.raw.num_turns).toBe(2);
  });

  it.each([
    ['storm-429', 429],
    ['storm-529', 529],
  ])('%s: retries as signs of life with the status, then a retry-later failure', (scenario, status) => {
    const rec = recording(CLI, scenario);
    const { events, finished } = feed(rec);
    const retries = events.filter((e) => e.type === 'api-error' && !e.fatal);
    expect(retries).toEqual(Array(3).fill({ type: 'api-error', status, fatal: false }));
    expect(signsOfLife(events)).toEqual(Array(3).fill('api_retry'));
    expect(events.at(-2)).toEqual({ type: 'api-error', status, fatal: true });
    expect(finished).toMatchObject({ ok: false, retryLater: true });
    expect(finished?.raw).toMatchObject({ subtype: 'success', is_error: true, api_error_status: status });
    expect(rec.exitCode).toBe(1);
  });

  it.each([
    ['bad-request', 400, 0],
    ['server-error', 500, 3],
  ])('%s: a failure with status %s that is not retry-later', (scenario, status, retried) => {
    const { events, finished } = feed(recording(CLI, scenario));
    expect(events.filter((e) => e.type === 'api-error' && !e.fatal)).toHaveLength(retried);
    expect(events.at(-2)).toEqual({ type: 'api-error', status, fatal: true });
    expect(finished).toMatchObject({ ok: false, retryLater: false });
  });

  it('dropped: retries without a status, then a failure without one', () => {
    const { events, finished } = feed(recording(CLI, 'dropped'));
    expect(events.filter((e) => e.type === 'api-error')).toEqual(
      Array(3).fill({ type: 'api-error', status: null, fatal: false }),
    );
    expect(finished).toMatchObject({ ok: false, retryLater: false });
    expect(String(finished?.raw.result)).toContain('ECONNRESET');
  });

  it.each(['dead-stream', 'dropped-silent'])('%s: started, then nothing and no finish', (scenario) => {
    const rec = recording(CLI, scenario);
    const { events, finished } = feed(rec);
    expect(events).toEqual([{ type: 'started' }]);
    expect(finished).toBeUndefined();
    // Stopped by the recorder with SIGTERM: the CLI's own exit code for it, and no result line.
    expect(rec.exitCode).toBe(143);
  });
});
