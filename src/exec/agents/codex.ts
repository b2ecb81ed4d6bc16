import { z } from 'zod';
import type { AgentEvent } from '../types.js';
import { statusFromText, textSaysRetryLater } from './api-status.js';
import { parseJsonObject } from './json-line.js';
import type { AgentAdapter } from './types.js';

type Finished = Extract<AgentEvent, { type: 'finished' }>;

const RETRY_LATER_STATUSES = new Set([429, 503, 529]);

/** Items that run something on the agent's behalf; the others (messages, reasoning) are the model talking. */
const TOOL_ITEMS = new Set(['command_execution', 'mcp_tool_call', 'file_change', 'web_search']);

const errorBody = z.looseObject({ message: z.string().optional() });
const line = z.looseObject({
  type: z.string(),
  item: z.looseObject({ type: z.string(), tool: z.string().optional() }).optional(),
  message: z.string().optional(),
  error: errorBody.optional(),
});
type CodexLine = z.infer<typeof line>;

/**
 * A 4xx Codex does not retry is shown as the API's raw error body, `{"error":{"type":…}}`, without the
 * status; OpenAI's `invalid_request_error` is its 400.
 */
const apiErrorBody = z.object({ error: z.looseObject({ type: z.string() }) });
const STATUS_OF_ERROR_TYPE: Record<string, number> = { invalid_request_error: 400 };

function statusOf(text: string): number | null {
  const fromText = statusFromText(text);
  if (fromText !== null) return fromText;
  const body = parseJsonObject(text);
  const parsed = body === undefined ? undefined : apiErrorBody.safeParse(body);
  return parsed?.success ? (STATUS_OF_ERROR_TYPE[parsed.data.error.type] ?? null) : null;
}

function toolName(item: NonNullable<CodexLine['item']>): string {
  if (item.type === 'mcp_tool_call' && item.tool !== undefined) return item.tool;
  return item.type;
}

/** `codex exec --json`: success is `turn.completed`; a top-level `error` line is usually a reconnect notice. */
export function createCodexAdapter(): AgentAdapter {
  let final: Finished | undefined;
  // "Reconnecting... n/5 (…)" lines name the status the final message may leave out.
  let lastRetryStatus: number | null = null;

  const onItem = (parsed: CodexLine): AgentEvent[] => {
    const item = parsed.item;
    if (item === undefined) return [{ type: 'heartbeat', what: parsed.type }];
    const isTool = TOOL_ITEMS.has(item.type);
    if (parsed.type === 'item.started' && isTool) return [{ type: 'tool-start', name: toolName(item) }];
    if (parsed.type === 'item.completed' && isTool) return [{ type: 'tool-end' }];
    if (isTool) return [{ type: 'heartbeat', what: `${parsed.type}:${item.type}` }];
    // agent_message, reasoning, todo_list…: the model wrote something.
    return [{ type: 'content', what: `${parsed.type}:${item.type}` }];
  };

  const parse = (parsed: CodexLine, raw: Record<string, unknown>): AgentEvent[] => {
    switch (parsed.type) {
      case 'thread.started':
        return [{ type: 'started' }];
      case 'turn.started':
        return [{ type: 'turn' }];
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return onItem(parsed);
      case 'error': {
        // Usually "Reconnecting… 2/5": alive, but no work done. Without a network the CLI kept
        // reconnecting for minutes without exiting, so this must not hold off the stall limit for long.
        const status = statusOf(parsed.message ?? '');
        if (status !== null) lastRetryStatus = status;
        return [
          { type: 'keep-alive', what: 'error' },
          { type: 'api-error', status, fatal: false },
        ];
      }
      case 'turn.completed':
        final = { type: 'finished', ok: true, retryLater: false, raw };
        return [final];
      case 'turn.failed': {
        const text = parsed.error?.message ?? parsed.message ?? '';
        const status = statusOf(text) ?? lastRetryStatus;
        const retryLater = (status !== null && RETRY_LATER_STATUSES.has(status)) || textSaysRetryLater(text);
        final = { type: 'finished', ok: false, retryLater, raw, status };
        return [{ type: 'api-error', status, fatal: true }, final];
      }
      default:
        return [{ type: 'heartbeat', what: parsed.type }];
    }
  };

  return {
    onLine(stream, text) {
      if (stream !== 'stdout') return [];
      const raw = parseJsonObject(text);
      if (raw === undefined) return [];
      const parsed = line.safeParse(raw);
      return parsed.success ? parse(parsed.data, raw) : [];
    },
    finished: () => final,
  };
}
