import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';

const ts = '"timestamp":"2026-11-02T10:00:00.000Z"';

describe('gemini adapter', () => {
  it('maps a successful session and is ok on result.status success', () => {
    const adapter = createAgentAdapter('gemini');
    const events = [
      `{"type":"init",${ts},"session_id":"s1","model":"gemini-2.5-pro"}`,
      `{"type":"message",${ts},"role":"user","content":"list files"}`,
      `{"type":"message",${ts},"role":"assistant","content":"Let me ","delta":true}`,
      `{"type":"message",${ts},"role":"assistant","content":"check.","delta":true}`,
      `{"type":"tool_use",${ts},"tool_name":"run_shell_command","tool_id":"t1","parameters":{"command":"ls"}}`,
      `{"type":"tool_result",${ts},"tool_id":"t1","status":"success","output":"a"}`,
      `{"type":"message",${ts},"role":"assistant","content":"Done.","delta":true}`,
      `{"type":"result",${ts},"status":"success","stats":{"total_tokens":100,"input_tokens":80,"output_tokens":20,"duration_ms":2100,"tool_calls":1}}`,
    ].flatMap((line) => adapter.onLine('stdout', line));
    expect(events.map((e) => e.type)).toEqual([
      'started',
      'heartbeat',
      'turn',
      'content',
      'content',
      'tool-start',
      'tool-end',
      'turn',
      'content',
      'finished',
    ]);
    expect(events[5]).toEqual({ type: 'tool-start', name: 'run_shell_command' });
    expect(adapter.finished()).toMatchObject({ ok: true, retryLater: false });
  });

  it('reads retries from stderr, where gemini reports them', () => {
    const adapter = createAgentAdapter('gemini');
    expect(adapter.onLine('stderr', 'Attempt 1 failed with status 503. Retrying with backoff...')).toEqual([
      { type: 'keep-alive', what: 'retry' },
      { type: 'api-error', status: 503, fatal: false },
    ]);
    expect(adapter.onLine('stderr', '    at async GeminiClient.generateContent (client.js:12:5)')).toEqual(
      [],
    );
    // The final error does not repeat the status; the retries before it said why.
    adapter.onLine(
      'stdout',
      `{"type":"result",${ts},"status":"error","error":{"type":"Error","message":"API error"}}`,
    );
    expect(adapter.finished()).toMatchObject({ ok: false, retryLater: true });
  });

  it('is not ok on result.status error, retrying later only on overload or rate limit', () => {
    const limited = createAgentAdapter('gemini');
    const events = limited.onLine(
      'stdout',
      `{"type":"result",${ts},"status":"error","error":{"type":"ApiError","message":"[429 Too Many Requests] Resource exhausted"},"stats":{"duration_ms":5}}`,
    );
    expect(events[0]).toEqual({ type: 'api-error', status: 429, fatal: true });
    expect(limited.finished()).toMatchObject({ ok: false, retryLater: true });
    const broken = createAgentAdapter('gemini');
    broken.onLine(
      'stdout',
      `{"type":"result",${ts},"status":"error","error":{"type":"FatalTurnLimitedError","message":"Reached max turns"}}`,
    );
    expect(broken.finished()).toMatchObject({ ok: false, retryLater: false });
  });

  it('treats error lines as non-fatal keep-alives', () => {
    const adapter = createAgentAdapter('gemini');
    expect(
      adapter.onLine('stdout', `{"type":"error",${ts},"severity":"warning","message":"Loop detected"}`),
    ).toEqual([
      { type: 'keep-alive', what: 'error' },
      { type: 'api-error', status: null, fatal: false },
    ]);
    expect(adapter.finished()).toBeUndefined();
  });
});
