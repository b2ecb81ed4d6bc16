import { describe, expect, it } from 'vitest';
import { detectLimitSignal } from '../../src/server/limit-signals.js';

describe('detectLimitSignal', () => {
  it('reports a Claude usage limit with its reset time', () => {
    expect(detectLimitSignal('Claude AI usage limit reached|1767225600')).toEqual({
      method: 'error.rate_limit_exceeded',
      params: {
        error_type: 'usage_limit',
        message: 'Claude AI usage limit reached|1767225600',
        recoverable: true,
        reset_timestamp: 1767225600,
      },
    });
  });

  it('reports HTTP 429 in prose and in stream-json, with retry-after when given', () => {
    const prose = detectLimitSignal(
      'exceeded retry limit, last status: 429 Too Many Requests, retry-after: 30',
    );
    expect(prose?.method).toBe('error.rate_limit_exceeded');
    expect(prose?.params).toMatchObject({ error_type: 'rate_limit_429', retry_after: 30 });
    const json = detectLimitSignal('{"type":"result","is_error":true,"api_error_status":429}');
    expect(json?.params).toMatchObject({ error_type: 'rate_limit_429' });
  });

  it("reports the model's output-token cap", () => {
    const signal = detectLimitSignal(
      "API Error: Claude's response exceeded the 32000 output token maximum. To configure this behavior, set CLAUDE_CODE_MAX_OUTPUT_TOKENS.",
    );
    expect(signal).toMatchObject({ method: 'error.token_limit_exceeded', params: { limit: 32000 } });
  });

  it('stays quiet on ordinary output that merely contains the numbers', () => {
    for (const line of [
      'processed 429 files',
      'port 14290 open',
      'the limit is 32000 rows',
      'usage: foo [-h]',
    ]) {
      expect(detectLimitSignal(line)).toBeUndefined();
    }
  });
});
