import { z } from 'zod';
import type { AgentEvent } from '../types.js';
import { statusFromText, textSaysRetryLater } from './api-status.js';
import { parseJsonObject } from './json-line.js';
import type { AgentAdapter } from './types.js';

type Finished = Extract<AgentEvent, { type: 'finished' }>;

const RETRY_LATER_STATUSES = new Set([429, 503, 529]);

const errorBody = z.looseObject({ type: z.string().optional(), message: z.string().optional() });
const line = z.looseObject({
  type: z.string(),
  role: z.string().optional(),
  delta: z.boolean().optional(),
  tool_name: z.string().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  error: errorBody.optional(),
});
type GeminiLine = z.infer<typeof line>;

/** Gemini retries an overloaded API silently on stdout; its only trace is a line like this on stderr. */
const stderrRetry = /attempt \d+ failed|retrying|status[: ]+[45]\d\d|\b(?:429|503)\b/i;

/** `gemini -p -o stream-json`: success is a `result` line with `status: "success"`. */
export function createGeminiAdapter(): AgentAdapter {
  let final: Finished | undefined;
  let inAssistantMessage = false;
  // A final error often says only "API error"; the statuses of the retries before it tell why.
  let lastRetryStatus: number | null = null;

  const onResult = (parsed: GeminiLine, raw: Record<string, unknown>): AgentEvent[] => {
    if (parsed.status === 'success') {
      final = { type: 'finished', ok: true, retryLater: false, raw };
      return [final];
    }
    const text = `${parsed.error?.type ?? ''} ${parsed.error?.message ?? ''}`;
    const status = statusFromText(text) ?? lastRetryStatus;
    const retryLater = (status !== null && RETRY_LATER_STATUSES.has(status)) || textSaysRetryLater(text);
    final = { type: 'finished', ok: false, retryLater, raw, status };
    return [{ type: 'api-error', status, fatal: true }, final];
  };

  const parse = (parsed: GeminiLine, raw: Record<string, unknown>): AgentEvent[] => {
    const wasInAssistantMessage = inAssistantMessage;
    inAssistantMessage = parsed.type === 'message' && parsed.role === 'assistant';
    switch (parsed.type) {
      case 'init':
        return [{ type: 'started' }];
      case 'message': {
        if (parsed.role !== 'assistant') return [{ type: 'heartbeat', what: 'message' }];
        const events: AgentEvent[] = wasInAssistantMessage ? [] : [{ type: 'turn' }];
        events.push({ type: 'content', what: parsed.delta === true ? 'delta' : 'message' });
        return events;
      }
      case 'tool_use':
        return [{ type: 'tool-start', name: parsed.tool_name }];
      case 'tool_result':
        return [{ type: 'tool-end' }];
      case 'error': {
        const status = statusFromText(parsed.message ?? '');
        if (status !== null) lastRetryStatus = status;
        // A non-fatal error is a retry notice: alive, but no work done.
        return [
          { type: 'keep-alive', what: 'error' },
          { type: 'api-error', status, fatal: false },
        ];
      }
      case 'result':
        return onResult(parsed, raw);
      default:
        return [{ type: 'heartbeat', what: parsed.type }];
    }
  };

  const onStderr = (text: string): AgentEvent[] => {
    if (!stderrRetry.test(text)) return [];
    const status = statusFromText(text);
    if (status !== null) lastRetryStatus = status;
    return [
      { type: 'keep-alive', what: 'retry' },
      { type: 'api-error', status, fatal: false },
    ];
  };

  return {
    onLine(stream, text) {
      if (stream === 'stderr') return onStderr(text);
      const raw = parseJsonObject(text);
      if (raw === undefined) return [];
      const parsed = line.safeParse(raw);
      return parsed.success ? parse(parsed.data, raw) : [];
    },
    finished: () => final,
  };
}
