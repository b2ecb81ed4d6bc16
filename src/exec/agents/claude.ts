import { z } from 'zod';
import type { AgentEvent } from '../types.js';
import { parseJsonObject } from './json-line.js';
import type { AgentAdapter } from './types.js';

type Finished = Extract<AgentEvent, { type: 'finished' }>;

/** Anthropic's "rate limited" and "overloaded": the run says nothing about how long the task takes. */
const RETRY_LATER_STATUSES = new Set([429, 529]);

const contentBlock = z.looseObject({ type: z.string(), name: z.string().optional() });
const messageLine = z.looseObject({
  type: z.enum(['assistant', 'user']),
  message: z.looseObject({ id: z.string().optional(), content: z.array(z.unknown()).or(z.string()) }),
});
const systemLine = z.looseObject({
  type: z.literal('system'),
  subtype: z.string(),
  error_status: z.number().nullable().optional(),
});
const resultLine = z.looseObject({
  type: z.literal('result'),
  is_error: z.boolean().optional(),
  api_error_status: z.number().nullable().optional(),
});

/** `claude -p --output-format stream-json --verbose`: success is a `result` line with `is_error: false`. */
export function createClaudeAdapter(): AgentAdapter {
  let final: Finished | undefined;
  let lastAssistantId: string | undefined;
  let previousWasAssistant = false;

  const onSystem = (line: z.infer<typeof systemLine>): AgentEvent[] => {
    switch (line.subtype) {
      case 'init':
        return [{ type: 'started' }];
      case 'api_retry':
        return [
          { type: 'heartbeat', what: 'api_retry' },
          { type: 'api-error', status: line.error_status ?? null, fatal: false },
        ];
      default:
        // task_started, task_notification, compact_boundary, hooks…: all signs of life.
        return [{ type: 'heartbeat', what: line.subtype }];
    }
  };

  const onMessage = (line: z.infer<typeof messageLine>): AgentEvent[] => {
    const blocks = Array.isArray(line.message.content) ? line.message.content : [];
    const events: AgentEvent[] = [];
    if (line.type === 'assistant') {
      // The CLI prints one line per content block; blocks of one model response share the message id.
      const id = line.message.id;
      const newTurn = id === undefined ? !previousWasAssistant : id !== lastAssistantId;
      if (newTurn) events.push({ type: 'turn' });
      lastAssistantId = id;
    }
    for (const raw of blocks) {
      const block = contentBlock.safeParse(raw);
      if (!block.success) continue;
      if (block.data.type === 'tool_use') events.push({ type: 'tool-start', name: block.data.name });
      else if (block.data.type === 'tool_result') events.push({ type: 'tool-end' });
    }
    return events;
  };

  const onResult = (line: z.infer<typeof resultLine>, raw: Record<string, unknown>): AgentEvent[] => {
    const status = line.api_error_status ?? null;
    final = {
      type: 'finished',
      ok: line.is_error === false,
      retryLater: status !== null && RETRY_LATER_STATUSES.has(status),
      raw,
    };
    return line.is_error === true && status !== null
      ? [{ type: 'api-error', status, fatal: true }, final]
      : [final];
  };

  const parse = (raw: Record<string, unknown>): AgentEvent[] => {
    const system = systemLine.safeParse(raw);
    if (system.success) return onSystem(system.data);
    const message = messageLine.safeParse(raw);
    if (message.success) return onMessage(message.data);
    const result = resultLine.safeParse(raw);
    if (result.success) return onResult(result.data, raw);
    // stream_event (partial messages) and future line types: tokens are flowing.
    if (typeof raw.type === 'string') return [{ type: 'heartbeat', what: raw.type }];
    return [];
  };

  return {
    onLine(stream, line) {
      if (stream !== 'stdout') return [];
      const raw = parseJsonObject(line);
      if (raw === undefined) return [];
      const events = parse(raw);
      previousWasAssistant = raw.type === 'assistant';
      return events;
    },
    finished: () => final,
  };
}
