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

const streamEvent = z.looseObject({ type: z.string() });

/**
 * With --include-partial-messages every server-sent event of the API is passed on as a `stream_event`
 * line: message and content-block events are tokens; `ping` is the API's keep-alive while the model thinks.
 */
function onStreamEvent(event: unknown): AgentEvent[] {
  const parsed = streamEvent.safeParse(event);
  if (!parsed.success) return [{ type: 'heartbeat', what: 'stream_event' }];
  const type = parsed.data.type;
  if (type === 'ping') return [{ type: 'keep-alive', what: 'ping' }];
  if (type.startsWith('message_') || type.startsWith('content_block_'))
    return [{ type: 'content', what: type }];
  return [{ type: 'heartbeat', what: type }];
}

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
        // The CLI is alive and waiting to retry, which is no work done; it retries a bounded number of
        // times (10 by default, about 3 minutes) and then gives up on its own.
        return [
          { type: 'keep-alive', what: 'api_retry' },
          { type: 'api-error', status: line.error_status ?? null, fatal: false },
        ];
      default:
        // task_started, task_notification, status, compact_boundary, hooks…: signs of life, which show
        // work while they say something new.
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
      else if (line.type === 'assistant') events.push({ type: 'content', what: block.data.type });
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
    if (raw.type === 'stream_event') return onStreamEvent(raw.event);
    // Future line types: signs of life.
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
