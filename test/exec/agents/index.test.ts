import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAgentAdapter } from '../../../src/exec/agents/index.js';
import type { AgentKind } from '../../../src/suite/types.js';

const kinds: AgentKind[] = ['claude', 'codex', 'gemini', 'none'];
const streams = fc.constantFrom<'stdout' | 'stderr'>('stdout', 'stderr');

/** Lines that look like agent events, so the parsers get past JSON.parse and into the field handling. */
const eventLike = fc
  .record(
    {
      type: fc.constantFrom(
        'system',
        'assistant',
        'user',
        'result',
        'init',
        'message',
        'turn.failed',
        'item.started',
        'error',
      ),
      subtype: fc.oneof(fc.string(), fc.constantFrom('init', 'api_retry', 'task_started')),
      message: fc.anything(),
      item: fc.anything(),
      error: fc.anything(),
      is_error: fc.anything(),
      status: fc.anything(),
      api_error_status: fc.anything(),
      error_status: fc.anything(),
    },
    { requiredKeys: ['type'] },
  )
  .map((value) => JSON.stringify(value));

describe('createAgentAdapter', () => {
  it('never throws, whatever the lines', () => {
    for (const kind of kinds) {
      fc.assert(
        fc.property(fc.array(fc.tuple(streams, fc.oneof(fc.string(), fc.json(), eventLike))), (lines) => {
          const adapter = createAgentAdapter(kind);
          for (const [stream, line] of lines) {
            expect(Array.isArray(adapter.onLine(stream, line))).toBe(true);
          }
          adapter.finished();
        }),
        { numRuns: 300 },
      );
    }
  });

  it('only ever reports the last finished event it returned', () => {
    for (const kind of kinds) {
      fc.assert(
        fc.property(fc.array(eventLike, { maxLength: 20 }), (lines) => {
          const adapter = createAgentAdapter(kind);
          let last: unknown;
          for (const line of lines) {
            for (const event of adapter.onLine('stdout', line)) if (event.type === 'finished') last = event;
          }
          expect(adapter.finished()).toBe(last);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('the none adapter never emits', () => {
    const adapter = createAgentAdapter('none');
    expect(adapter.onLine('stdout', '{"type":"result","is_error":false}')).toEqual([]);
    expect(adapter.finished()).toBeUndefined();
  });

  it('gives each attempt its own state', () => {
    const first = createAgentAdapter('claude');
    first.onLine('stdout', '{"type":"result","subtype":"success","is_error":false,"session_id":"a"}');
    expect(createAgentAdapter('claude').finished()).toBeUndefined();
  });
});
