import { describe, expect, it } from 'vitest';
import { judgeEvents } from '../../src/exec/output-sink.js';

const fresh = () => true;
const seen = () => false;

describe('judgeEvents', () => {
  it('counts work as real progress, named by its most telling event', () => {
    expect(judgeEvents([{ type: 'turn' }, { type: 'tool-start', name: 'Bash' }], seen)).toEqual({
      strength: 'real',
      what: 'tool_use (Bash)',
    });
    expect(judgeEvents([{ type: 'tool-end' }], seen)).toEqual({ strength: 'real', what: 'tool_result' });
    expect(judgeEvents([{ type: 'content', what: 'content_block_delta' }], seen)).toEqual({
      strength: 'real',
      what: 'content_block_delta',
    });
  });

  it('counts a status line as real while it is new, and as a repeat after', () => {
    const status = [{ type: 'heartbeat', what: 'task_progress' } as const];
    expect(judgeEvents(status, fresh)).toEqual({ strength: 'real', what: 'task_progress' });
    expect(judgeEvents(status, seen)).toEqual({ strength: 'repeat', what: 'task_progress' });
  });

  it('never counts a keep-alive or a retry as work, new or not', () => {
    const retry = [
      { type: 'keep-alive', what: 'api_retry' } as const,
      { type: 'api-error', status: 529, fatal: false } as const,
    ];
    expect(judgeEvents(retry, fresh)).toEqual({ strength: 'keep-alive', what: 'api_retry' });
    expect(judgeEvents([{ type: 'keep-alive', what: 'ping' }], fresh)).toEqual({
      strength: 'keep-alive',
      what: 'ping',
    });
  });

  it('compares only heartbeat lines with recent output', () => {
    let compared = 0;
    const count = () => {
      compared++;
      return true;
    };
    judgeEvents([{ type: 'content', what: 'text' }], count);
    judgeEvents([{ type: 'keep-alive', what: 'ping' }], count);
    expect(compared).toBe(0);
    judgeEvents([{ type: 'heartbeat', what: 'status' }], count);
    expect(compared).toBe(1);
  });
});
