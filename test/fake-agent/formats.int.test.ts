import { describe, expect, it } from 'vitest';
import { runFakeAgent } from './support.js';

const quick = ['--fake-duration', '400ms', '--fake-seed', '5', '--fake-turns', '3'];
const codex = (...fake: string[]) => [
  'exec',
  '--json',
  'fix the bug',
  '--fake-format',
  'codex',
  ...quick,
  ...fake,
];
const gemini = (...fake: string[]) => [
  '-p',
  'fix the bug',
  '-o',
  'stream-json',
  '--fake-format',
  'gemini',
  ...quick,
  ...fake,
];

describe.concurrent('fake agent, codex exec --json', () => {
  it('prints thread, turn and item events, ending in turn.completed with usage', async () => {
    const run = await runFakeAgent(codex());
    expect(run.exitCode).toBe(0);
    const types = run.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['thread.started', 'turn.started']);
    expect(types.at(-1)).toBe('turn.completed');
    expect(run.events.at(-1)!.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
    });
    const items = run.events.filter((e) => String(e.type).startsWith('item.'));
    const started = items.filter((e) => e.type === 'item.started').map((e) => (e.item as { id: string }).id);
    const completed = items
      .filter((e) => e.type === 'item.completed')
      .map((e) => (e.item as { id: string }).id);
    expect(started.length).toBe(2);
    for (const id of started) expect(completed).toContain(id);
    const last = items.at(-1)!.item as { type: string; text: string };
    expect(last).toMatchObject({ type: 'agent_message', text: expect.stringMatching(/DONE$/) });
  });

  it('reports rate limits as reconnecting errors, then turn.failed and exit 1', async () => {
    const run = await runFakeAgent(codex('--fake-fail', 'rate-limit', '--fake-retries', '2'));
    expect(run.exitCode).toBe(1);
    const errors = run.events.filter((e) => e.type === 'error').map((e) => String(e.message));
    expect(errors[0]).toMatch(/^Reconnecting\.\.\. 1\/2 .*429/);
    expect(run.events.at(-1)).toMatchObject({
      type: 'turn.failed',
      error: { message: expect.stringMatching(/429/) },
    });
  });

  it('exits with N after turn.failed for exit:N', async () => {
    const run = await runFakeAgent(codex('--fake-fail', 'exit:4'));
    expect(run.exitCode).toBe(4);
    expect(run.events.at(-1)!.type).toBe('turn.failed');
  });

  it('prints only the final message without --json', async () => {
    const run = await runFakeAgent(['exec', 'fix the bug', '--fake-format', 'codex', ...quick]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd()).toMatch(/DONE$/);
    expect(run.events).toEqual([]);
  });
});

describe.concurrent('fake agent, gemini -o stream-json', () => {
  it('prints init, messages as deltas, tool_use/tool_result and a success result with stats', async () => {
    const run = await runFakeAgent(gemini());
    expect(run.exitCode).toBe(0);
    const types = run.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['init', 'message']);
    expect(run.events[1]).toMatchObject({ role: 'user', content: 'fix the bug' });
    expect(types.at(-1)).toBe('result');
    expect(types.filter((t) => t === 'tool_use')).toHaveLength(2);
    expect(types.filter((t) => t === 'tool_result')).toHaveLength(2);
    for (const event of run.events) expect(event.timestamp).toEqual(expect.any(String));
    const assistant = run.events.filter((e) => e.type === 'message' && e.role === 'assistant');
    for (const message of assistant) expect(message.delta).toBe(true);
    expect(run.events.at(-1)).toMatchObject({
      status: 'success',
      stats: { duration_ms: expect.any(Number), tool_calls: 2, total_tokens: expect.any(Number) },
    });
  });

  it('retries silently on stdout (stack lines on stderr), then a result error and exit 429 % 256', async () => {
    const run = await runFakeAgent(gemini('--fake-fail', 'rate-limit', '--fake-retries', '3'));
    expect(run.exitCode).toBe(429 % 256);
    expect(run.stderr.trim().split('\n')).toHaveLength(3);
    expect(run.stderr).toMatch(/Attempt 1 failed with status 429/);
    expect(run.events.map((e) => e.type)).toEqual(['init', 'message', 'result']);
    expect(run.events.at(-1)).toMatchObject({
      status: 'error',
      error: { message: expect.stringMatching(/429/) },
    });
  });

  it('exits 247 (503 % 256) when overloaded and 53 at the turn limit', async () => {
    const [overloaded, turns] = await Promise.all([
      runFakeAgent(gemini('--fake-fail', 'overloaded')),
      runFakeAgent(gemini('--fake-fail', 'max-turns')),
    ]);
    expect(overloaded.exitCode).toBe(247);
    expect(turns.exitCode).toBe(53);
    expect(turns.events.at(-1)).toMatchObject({ status: 'error', error: { type: 'FatalTurnLimitedError' } });
  });
});
