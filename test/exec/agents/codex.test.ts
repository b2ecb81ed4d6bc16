import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';

function feed(lines: string[]) {
  const adapter = createAgentAdapter('codex');
  const events = lines.flatMap((line) => adapter.onLine('stdout', line));
  return { events, finished: adapter.finished() };
}

describe('codex adapter', () => {
  it('maps a successful exec to events and is ok on turn.completed', () => {
    const { events, finished } = feed([
      '{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}',
      '{"type":"turn.started"}',
      '{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Scanning**"}}',
      '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
      '{"type":"item.updated","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"a\\n","exit_code":null,"status":"in_progress"}}',
      '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc ls","aggregated_output":"a\\n","exit_code":0,"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"Done."}}',
      '{"type":"turn.completed","usage":{"input_tokens":24763,"cached_input_tokens":24448,"output_tokens":122}}',
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'started',
      'turn',
      'content',
      'tool-start',
      'heartbeat',
      'tool-end',
      'content',
      'finished',
    ]);
    expect(events[3]).toEqual({ type: 'tool-start', name: 'command_execution' });
    expect(finished).toMatchObject({ ok: true, retryLater: false, raw: { usage: { output_tokens: 122 } } });
  });

  it('names MCP tools by their tool name', () => {
    const { events } = feed([
      '{"type":"item.started","item":{"id":"i","type":"mcp_tool_call","server":"docs","tool":"search","status":"in_progress"}}',
    ]);
    expect(events).toEqual([{ type: 'tool-start', name: 'search' }]);
  });

  it('treats top-level error lines as non-fatal reconnect notices', () => {
    const { events, finished } = feed([
      '{"type":"error","message":"Reconnecting... 2/5 (stream disconnected before completion: 503 Service Unavailable)"}',
    ]);
    expect(events).toEqual([
      { type: 'keep-alive', what: 'error' },
      { type: 'api-error', status: 503, fatal: false },
    ]);
    expect(finished).toBeUndefined();
  });

  it('is not ok on turn.failed, and retries later on rate limits', () => {
    const limited = feed([
      '{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}',
    ]);
    expect(limited.events[0]).toEqual({ type: 'api-error', status: 429, fatal: true });
    expect(limited.finished).toMatchObject({ ok: false, retryLater: true });
    const broken = feed([
      '{"type":"turn.failed","error":{"message":"unexpected status 400 Bad Request: bad schema"}}',
    ]);
    expect(broken.finished).toMatchObject({ ok: false, retryLater: false });
  });

  it('ignores non-JSON lines', () => {
    const adapter = createAgentAdapter('codex');
    expect(adapter.onLine('stdout', 'Reading prompt from stdin...')).toEqual([]);
    expect(adapter.onLine('stderr', '{"type":"turn.completed"}')).toEqual([]);
    expect(adapter.finished()).toBeUndefined();
  });
});
