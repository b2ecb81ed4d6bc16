import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/exec/types.js';
import { endReasonOf, messagesOf } from '../../src/run/end-reason.js';
import { execResult } from '../helpers/exec-result.js';

const result = (over: Partial<ExecResult>): ExecResult => execResult({ exitCode: 1, ...over });

describe('the evidence a report shows first', () => {
  it('puts what a task that ended on its own failed before the notes about how it ended', () => {
    const ended = result({
      failures: ['API status 400: bad request', 'left 1 process behind: helper (pid 7)'],
      detail: 'the task exited but left 1 process behind: helper (pid 7); stopped them',
    });
    expect(endReasonOf(ended)).toBe('failed');
    expect(messagesOf('failed', ended)).toEqual([
      'API status 400: bad request',
      'left 1 process behind: helper (pid 7)',
      'the task exited but left 1 process behind: helper (pid 7); stopped them',
    ]);
  });

  it('puts the limit that fired first when the runner ended the task', () => {
    const stalled = result({
      termination: 'stall',
      failures: ['no result line'],
      detail: 'no progress for 30s',
    });
    expect(endReasonOf(stalled)).toBe('stalled');
    expect(messagesOf('stalled', stalled)).toEqual(['no progress for 30s', 'no result line']);
  });

  it('shows nothing for a pass', () => {
    expect(messagesOf('passed', result({ exitCode: 0, detail: 'a note' }))).toEqual([]);
  });
});
