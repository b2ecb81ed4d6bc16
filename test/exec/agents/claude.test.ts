import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import type { AgentEvent } from '../../../src/exec/types.js';

function feed(lines: string[]): {
  events: AgentEvent[];
  finished: ReturnType<ReturnType<typeof createAgentAdapter>['finished']>;
} {
  const adapter = createAgentAdapter('claude');
  const events = lines.flatMap((line) => adapter.onLine('stdout', line));
  return { events, finished: adapter.finished() };
}

const sid = '"session_id":"5f1c"';
const init = `{"type":"system","subtype":"init","cwd":"/w","model":"claude-sonnet-4-5","tools":["Bash"],"mcp_servers":[],${sid}}`;
const text = (id: string, t: string) =>
  `{"type":"assistant","message":{"id":"${id}","role":"assistant","content":[{"type":"text","text":"${t}"}]},"parent_tool_use_id":null,${sid}}`;
const toolUse = (id: string, tool: string) =>
  `{"type":"assistant","message":{"id":"${id}","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"${tool}","input":{"command":"ls"}}]},${sid}}`;
const toolResult = `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok","is_error":false}]},${sid}}`;
const result = (fields: string) =>
  `{"type":"result","duration_ms":1234,"num_turns":2,"total_cost_usd":0.01,"usage":{"input_tokens":10,"output_tokens":5},"result":"done",${fields},${sid}}`;

describe('claude adapter', () => {
  it('maps a full successful session to events in order', () => {
    const { events, finished } = feed([
      init,
      text('msg_1', 'Let me look.'),
      toolUse('msg_1', 'Bash'),
      `{"type":"system","subtype":"task_started","task_id":"t1",${sid}}`,
      `{"type":"system","subtype":"task_notification","task_id":"t1","status":"completed",${sid}}`,
      toolResult,
      text('msg_2', 'Done.'),
      result('"subtype":"success","is_error":false,"api_error_status":null'),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'started',
      'turn',
      'content',
      'tool-start',
      'heartbeat',
      'heartbeat',
      'tool-end',
      'turn',
      'content',
      'finished',
    ]);
    expect(events[2]).toEqual({ type: 'content', what: 'text' });
    expect(events[3]).toEqual({ type: 'tool-start', name: 'Bash' });
    expect(finished).toMatchObject({ ok: true, retryLater: false, raw: { num_turns: 2, result: 'done' } });
  });

  it('treats api_retry lines as keep-alives and non-fatal API errors', () => {
    const { events } = feed([
      `{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":1000,"error_status":529,${sid}}`,
      `{"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":2000,"error_status":null,${sid}}`,
    ]);
    expect(events).toEqual([
      { type: 'keep-alive', what: 'api_retry' },
      { type: 'api-error', status: 529, fatal: false },
      { type: 'keep-alive', what: 'api_retry' },
      { type: 'api-error', status: null, fatal: false },
    ]);
  });

  it('reads partial messages: API pings are keep-alives, message and content-block events are tokens', () => {
    // As claude 2.1.x prints them with --include-partial-messages.
    const stream = (event: string) =>
      `{"type":"stream_event","event":${event},${sid},"parent_tool_use_id":null,"uuid":"6dda8a59-90a5-440a-a28c-58a18322be97"}`;
    const { events } = feed([
      `{"type":"system","subtype":"status","status":"requesting",${sid}}`,
      stream(
        '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[]}}',
      ),
      stream('{"type":"ping"}'),
      stream('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}'),
      stream('{"type":"error","error":{"type":"overloaded_error"}}'),
    ]);
    expect(events).toEqual([
      { type: 'heartbeat', what: 'status' },
      { type: 'content', what: 'message_start' },
      { type: 'keep-alive', what: 'ping' },
      { type: 'content', what: 'content_block_delta' },
      { type: 'heartbeat', what: 'error' },
    ]);
  });

  it('is not ok for an API error reported with subtype success, and retries later on 429/529', () => {
    for (const status of [429, 529]) {
      const { events, finished } = feed([
        result(`"subtype":"success","is_error":true,"api_error_status":${status}`),
      ]);
      expect(events[0]).toEqual({ type: 'api-error', status, fatal: true });
      expect(finished).toMatchObject({ ok: false, retryLater: true });
    }
    const { finished } = feed([result('"subtype":"success","is_error":true,"api_error_status":400')]);
    expect(finished).toMatchObject({ ok: false, retryLater: false });
  });

  it('is not ok at max turns', () => {
    const { finished } = feed([result('"subtype":"error_max_turns","is_error":true')]);
    expect(finished).toMatchObject({ ok: false, retryLater: false, raw: { subtype: 'error_max_turns' } });
  });

  it('is not ok when is_error is missing', () => {
    const { finished } = feed([`{"type":"result","subtype":"success",${sid}}`]);
    expect(finished?.ok).toBe(false);
  });

  it('has no final event when the stream ends without a result line', () => {
    expect(feed([init, text('m', 'hi')]).finished).toBeUndefined();
  });

  it('counts one turn per model response, not per content block', () => {
    const { events } = feed([
      text('msg_1', 'a'),
      toolUse('msg_1', 'Read'),
      toolUse('msg_1', 'Grep'),
      text('msg_2', 'b'),
    ]);
    expect(events.filter((e) => e.type === 'turn')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'tool-start')).toHaveLength(2);
  });

  it('ignores non-JSON lines and stderr', () => {
    const adapter = createAgentAdapter('claude');
    expect(adapter.onLine('stdout', 'Error: something')).toEqual([]);
    expect(adapter.onLine('stdout', '{"type":"result", broken')).toEqual([]);
    expect(adapter.onLine('stdout', '[1,2]')).toEqual([]);
    expect(adapter.onLine('stderr', result('"subtype":"success","is_error":false'))).toEqual([]);
    expect(adapter.finished()).toBeUndefined();
  });
});
