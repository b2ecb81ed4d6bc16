import type { ServerNotifications } from '../protocol/messages.js';

export type LimitSignal =
  | { method: 'error.rate_limit_exceeded'; params: ServerNotifications['error.rate_limit_exceeded'] }
  | { method: 'error.token_limit_exceeded'; params: ServerNotifications['error.token_limit_exceeded'] };

const LONGEST_MESSAGE = 300;

/** Every pattern below contains one of these words: most lines are ruled out with one cheap search. */
const anyCandidate = /429|limit|token/i;

/** Claude's subscription limit line: "Claude AI usage limit reached|1712345678". */
const usageLimit = /usage limit reached(?:\|(\d{9,11}))?/i;
const http429 =
  /(?<!\d)429(?!\d)[^\n]{0,60}?(too many requests|rate.?limit)|rate.?limit[^\n]{0,60}?(?<!\d)429(?!\d)|"(?:api_)?error_status"\s*:\s*429\b/i;
const retryAfter = /retry[-_ ]?after["'\s:=]*(\d+(?:\.\d+)?)/i;
const outputTokens =
  /exceeded the (\d+) output token maximum|max(?:imum)? output tokens?(?: limit)?(?: of)? (\d+)[^\n]{0,40}(?:reached|exceeded)/i;

function shorten(line: string): string {
  const trimmed = line.trim();
  return trimmed.length > LONGEST_MESSAGE ? `${trimmed.slice(0, LONGEST_MESSAGE - 1)}…` : trimmed;
}

/**
 * Recognises, in one output line, the provider limits that the protocol reports as their own notifications
 * (`error.rate_limit_exceeded`, `error.token_limit_exceeded`), so a client can wait instead of retrying.
 */
export function detectLimitSignal(line: string): LimitSignal | undefined {
  if (!anyCandidate.test(line)) return undefined;
  const usage = usageLimit.exec(line);
  if (usage !== null) {
    const params: ServerNotifications['error.rate_limit_exceeded'] = {
      error_type: 'usage_limit',
      message: shorten(line),
      recoverable: true,
    };
    if (usage[1] !== undefined) params.reset_timestamp = Number(usage[1]);
    return { method: 'error.rate_limit_exceeded', params };
  }
  if (http429.test(line)) {
    const params: ServerNotifications['error.rate_limit_exceeded'] = {
      error_type: 'rate_limit_429',
      message: shorten(line),
      recoverable: true,
    };
    const after = retryAfter.exec(line);
    if (after?.[1] !== undefined) params.retry_after = Number(after[1]);
    return { method: 'error.rate_limit_exceeded', params };
  }
  const tokens = outputTokens.exec(line);
  if (tokens !== null) {
    const limit = tokens[1] ?? tokens[2];
    return {
      method: 'error.token_limit_exceeded',
      params: {
        limit: limit === undefined ? null : Number(limit),
        message: shorten(line),
        recoverable: false,
      },
    };
  }
  return undefined;
}
