import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import type { AgentEvent } from '../../../src/exec/types.js';
import { type Recording, recording, recordingsOf } from '../../helpers/recorded-cli.js';

/** The codex adapter on what the real Codex CLI 0.171.0 printed in each scenario of the fake API. */

const CLI = 'codex-0.171.0';

function feed(rec: Recording) {
  const adapter = createAgentAdapter('codex');
  const events: AgentEvent[] = rec.lines.flatMap((line) => adapter.onLine('stdout', line));
  return { events, finished: adapter.finished() };
}

const types = (events: AgentEvent[]) => events.map((e) => e.type);

describe('codex adapter on recorded real output', () => {
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
    '%s: started, one turn, an ok finish on turn.completed with exit 0',
    (scenario) => {
      const rec = recording(CLI, scenario);
      const { events, finished } = feed(rec);
      expect(types(events)).toEqual(['started', 'turn', ...types(events).slice(2, -1), 'finished']);
      expect(
        types(events)
          .slice(2, -1)
          .every((type) => type === 'heartbeat' || type === 'content' || type === 'keep-alive'),
      ).toBe(true);
      expect(finished).toMatchObject({ ok: true, retryLater: false, raw: { type: 'turn.completed' } });
      expect(rec.exitCode).toBe(0);
    },
  );

  it('long-tool: reasoning, the shell command as a tool start and end, then an ok finish', () => {
    const { events } = feed(recording(CLI, 'long-tool'));
    expect(events).toEqual([
      { type: 'started' },
      { type: 'turn' },
      { type: 'content', what: 'item.completed:reasoning' },
      { type: 'tool-start', name: 'command_execution' },
      { type: 'tool-end' },
      { type: 'content', what: 'item.completed:agent_message' },
      expect.objectContaining({ type: 'finished', ok: true }),
    ]);
  });

  it.each([
    ['storm-429', 429],
    ['storm-503', 503],
  ])('%s: reconnect notices, then a failed turn to retry later with status %i', (scenario, status) => {
    const rec = recording(CLI, scenario);
    const { events, finished } = feed(rec);
    const retries = events.filter((e) => e.type === 'api-error' && !e.fatal);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.every((e) => e.type === 'api-error' && e.status === status)).toBe(true);
    expect(finished).toMatchObject({ ok: false, retryLater: true, status });
    expect(rec.exitCode).toBe(1);
  });

  it('bad-request: the raw OpenAI error body, read as a 400, not to retry', () => {
    const rec = recording(CLI, 'bad-request');
    const { finished } = feed(rec);
    expect(finished).toMatchObject({ ok: false, retryLater: false, status: 400 });
    expect(rec.exitCode).toBe(1);
  });

  it.each(['server-error', 'dropped'])('%s: a failed turn whose status the CLI never says', (scenario) => {
    const rec = recording(CLI, scenario);
    const { finished } = feed(rec);
    expect(finished).toMatchObject({ ok: false, retryLater: false, status: null });
    expect(rec.exitCode).toBe(1);
  });

  it('dead-stream: started and one turn, no finish before it was stopped', () => {
    const rec = recording(CLI, 'dead-stream');
    const { events, finished } = feed(rec);
    expect(types(events)).toEqual(['started', 'turn']);
    expect(finished).toBeUndefined();
  });
});
