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

function toolName(item: NonNullable<CodexLine['item']>): string {
  if (item.type === 'mcp_tool_call' && item.tool !== undefined) return item.tool;
  return item.type;
}

/** `codex exec --json`: success is `turn.completed`; a top-level `error` line is usually a reconnect notice. */
export function createCodexAdapter(): AgentAdapter {
  let final: Finished | undefined;

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
        const text = parsed.message ?? '';
        return [
          { type: 'keep-alive', what: 'error' },
          { type: 'api-error', status: statusFromText(text), fatal: false },
        ];
      }
      case 'turn.completed':
        final = { type: 'finished', ok: true, retryLater: false, raw };
        return [final];
      case 'turn.failed': {
        const text = parsed.error?.message ?? parsed.message ?? '';
        const status = statusFromText(text);
        const retryLater = (status !== null && RETRY_LATER_STATUSES.has(status)) || textSaysRetryLater(text);
        final = { type: 'finished', ok: false, retryLater, raw };
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
