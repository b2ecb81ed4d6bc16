import { fillerText } from '../filler.js';
import type { OutputMode } from '../options.js';
import type { ToolCall } from '../timeline.js';
import { SessionTally } from './session-text.js';
import type { FormatWriter, Output, StreamEvent, WriterContext } from './types.js';

const STATUS_TEXT: Record<number, string> = { 429: 'Too Many Requests', 529: 'Service Unavailable' };

/** Codex reports the overloaded case as OpenAI does, 503. */
const openAiStatus = (status: number): number => (status === 529 ? 503 : status);

function commandOf(tool: ToolCall): string {
  switch (tool.name) {
    case 'Read':
      return `bash -lc "sed -n '1,200p' ${tool.input.file_path}"`;
    case 'Grep':
      return `bash -lc "rg -n '${tool.input.pattern}' ${tool.input.path}"`;
    default:
      return `bash -lc "${tool.input.command ?? 'true'}"`;
  }
}

/** `codex exec --json`: thread, turn and item events, ending in turn.completed or turn.failed. */
export function createCodexWriter(mode: OutputMode, ctx: WriterContext): FormatWriter {
  const tally = new SessionTally();
  const streamed = mode === 'stream-json';
  let items = 0;
  const running = new Map<string, Record<string, unknown>>();
  const line = (fields: Record<string, unknown>): string => JSON.stringify(fields);

  const itemFor = (tool: ToolCall): Record<string, unknown> =>
    tool.name === 'Edit' || tool.name === 'Write'
      ? {
          id: `item_${items++}`,
          type: 'file_change',
          changes: [{ path: tool.input.file_path, kind: tool.name === 'Write' ? 'add' : 'update' }],
          status: 'in_progress',
        }
      : {
          id: `item_${items++}`,
          type: 'command_execution',
          command: commandOf(tool),
          aggregated_output: '',
          exit_code: null,
          status: 'in_progress',
        };

  const render = (event: StreamEvent): string[] => {
    switch (event.type) {
      case 'init':
        return [line({ type: 'thread.started', thread_id: ctx.sessionId }), line({ type: 'turn.started' })];
      case 'text': {
        const text = tally.text(event);
        const type = event.final ? 'agent_message' : 'reasoning';
        return [line({ type: 'item.completed', item: { id: `item_${items++}`, type, text } })];
      }
      case 'tool-use': {
        tally.toolCalls++;
        const item = itemFor(event.tool);
        running.set(event.tool.id, item);
        return [line({ type: 'item.started', item })];
      }
      case 'task-started':
      case 'task-notification':
        // Codex says nothing while a shell command runs silently.
        return [];
      case 'tool-result': {
        const item = running.get(event.toolId);
        running.delete(event.toolId);
        if (item === undefined) return [];
        const done =
          item.type === 'file_change'
            ? { ...item, status: 'completed' }
            : { ...item, aggregated_output: `${event.output}\n`, exit_code: 0, status: 'completed' };
        return [line({ type: 'item.completed', item: done })];
      }
      case 'retry': {
        const status = openAiStatus(event.status);
        const reason = `unexpected status ${status} ${STATUS_TEXT[event.status] ?? ''}`.trim();
        return [
          line({
            type: 'error',
            message: `Reconnecting... ${event.attempt}/${event.maxRetries} (${reason})`,
          }),
        ];
      }
    }
  };

  return {
    event(event): Output {
      // Rendered even when not printed: the final message comes from the same tally.
      const lines = render(event);
      return { stdout: streamed ? lines : [], stderr: [] };
    },

    finish(ending) {
      const usage = tally.usage(ctx.prompt);
      let failure: string | undefined;
      let exitCode = 1;
      switch (ending.kind) {
        case 'success':
          exitCode = 0;
          break;
        case 'api-error': {
          const status = openAiStatus(ending.status);
          failure = `exceeded retry limit, last status: ${status} ${STATUS_TEXT[ending.status] ?? ''}`.trim();
          break;
        }
        case 'max-turns':
          failure = `turn limit reached (${ctx.maxTurns})`;
          break;
        case 'exit':
          failure = `the session failed and exited with code ${ending.code}`;
          exitCode = ending.code;
          break;
      }
      if (failure === undefined) {
        const done = line({
          type: 'turn.completed',
          usage: {
            input_tokens: usage.input,
            cached_input_tokens: usage.cached,
            cache_write_input_tokens: 0,
            output_tokens: usage.output,
            reasoning_output_tokens: 0,
          },
        });
        return { stdout: [streamed ? done : tally.finalText], stderr: [], exitCode };
      }
      if (!streamed) return { stdout: [], stderr: [`ERROR: ${failure}`], exitCode };
      return {
        stdout: [
          line({ type: 'error', message: failure }),
          line({ type: 'turn.failed', error: { message: failure } }),
        ],
        stderr: [],
        exitCode,
      };
    },

    loopLine(index) {
      const text = fillerText(ctx.seed + index, 200);
      return streamed
        ? line({ type: 'item.completed', item: { id: `item_loop_${index}`, type: 'reasoning', text } })
        : text;
    },
  };
}
