import { fillerText } from '../filler.js';
import type { OutputMode } from '../options.js';
import { createRng, uuid } from '../rng.js';
import { SessionTally } from './session-text.js';
import type { FormatWriter, Output, StreamEvent, WriterContext } from './types.js';

const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'WebFetch', 'TodoWrite', 'WebSearch'];

const API_ERRORS: Record<number, { type: string; message: string }> = {
  429: {
    type: 'rate_limit_error',
    message: 'This request would exceed the rate limit for your organization.',
  },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** `claude -p --output-format text|json|stream-json --verbose`. */
export function createClaudeWriter(mode: OutputMode, ctx: WriterContext): FormatWriter {
  const tally = new SessionTally();
  const ids = createRng(ctx.seed ^ 0x2c1b3c6d);
  const line = (fields: Record<string, unknown>): string =>
    JSON.stringify({ ...fields, session_id: ctx.sessionId, uuid: uuid(ids) });
  const messageIds = new Map<number, string>();
  const messageId = (turn: number): string => {
    let id = messageIds.get(turn);
    if (id === undefined) {
      id = `msg_01${uuid(ids).replaceAll('-', '').slice(0, 22)}`;
      messageIds.set(turn, id);
    }
    return id;
  };
  const assistant = (id: string, block: Record<string, unknown>): string =>
    line({
      type: 'assistant',
      message: {
        model: ctx.model,
        id,
        type: 'message',
        role: 'assistant',
        content: [block],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 4, cache_read_input_tokens: 2000, output_tokens: 1 },
      },
      parent_tool_use_id: null,
    });
  const streamed = mode === 'stream-json';
  const out = (stdout: string[]): Output => ({ stdout: streamed ? stdout : [], stderr: [] });

  const render = (event: StreamEvent): string[] => {
    switch (event.type) {
      case 'init':
        return [
          line({
            type: 'system',
            subtype: 'init',
            cwd: process.cwd(),
            tools: TOOLS,
            mcp_servers: [],
            model: ctx.model,
            permissionMode: 'default',
            slash_commands: ['compact', 'review'],
            apiKeySource: 'none',
            claude_code_version: '2.1.0',
            output_style: 'default',
            agents: [],
            skills: [],
            plugins: [],
          }),
        ];
      case 'text':
        return [assistant(messageId(event.turn), { type: 'text', text: tally.text(event) })];
      case 'tool-use':
        tally.toolCalls++;
        return [
          assistant(messageId(event.turn), {
            type: 'tool_use',
            id: event.tool.id,
            name: event.tool.name,
            input: event.tool.input,
          }),
        ];
      case 'task-started':
        return [
          line({
            type: 'system',
            subtype: 'task_started',
            task_id: event.taskId,
            tool_use_id: event.toolId,
            description: event.description,
          }),
        ];
      case 'task-notification':
        return [
          line({
            type: 'system',
            subtype: 'task_notification',
            task_id: event.taskId,
            tool_use_id: event.toolId,
            status: 'completed',
            summary: 'Background command completed (exit code 0)',
          }),
        ];
      case 'tool-result':
        return [
          line({
            type: 'user',
            message: {
              role: 'user',
              content: [
                { tool_use_id: event.toolId, type: 'tool_result', content: event.output, is_error: false },
              ],
            },
            parent_tool_use_id: null,
            tool_use_result: { stdout: event.output, stderr: '', interrupted: false },
          }),
        ];
      case 'retry':
        return [
          line({
            type: 'system',
            subtype: 'api_retry',
            attempt: event.attempt,
            max_retries: event.maxRetries,
            retry_delay_ms: event.delayMs,
            error_status: event.status,
            error: event.status === 429 ? 'rate_limit' : 'overloaded',
          }),
        ];
    }
  };

  return {
    event: (event) => out(render(event)),

    finish(ending, durationMs) {
      const usage = tally.usage(ctx.prompt);
      const common = {
        duration_ms: durationMs,
        duration_api_ms: Math.round(durationMs * 0.8),
        num_turns: Math.max(1, tally.turns),
        total_cost_usd: Number(((usage.input * 3 + usage.cached * 0.3 + usage.output * 15) / 1e6).toFixed(6)),
        usage: {
          input_tokens: usage.input,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: usage.cached,
          output_tokens: usage.output,
          server_tool_use: { web_search_requests: 0 },
          service_tier: 'standard',
        },
        modelUsage: {},
        permission_denials: [],
      };
      let fields: Record<string, unknown>;
      let text: string;
      let exitCode: number;
      switch (ending.kind) {
        case 'success':
          text = tally.finalText;
          fields = {
            subtype: 'success',
            is_error: false,
            api_error_status: null,
            result: text,
            stop_reason: 'end_turn',
          };
          exitCode = 0;
          break;
        case 'api-error': {
          const error = API_ERRORS[ending.status] ?? { type: 'api_error', message: 'Internal server error' };
          text = `API Error: ${ending.status} ${JSON.stringify({ type: 'error', error })}`;
          // The real CLI reports API failures as subtype "success" with is_error true.
          fields = { subtype: 'success', is_error: true, api_error_status: ending.status, result: text };
          exitCode = 1;
          break;
        }
        case 'max-turns':
          text = `Error: Reached max turns (${ctx.maxTurns})`;
          fields = { subtype: 'error_max_turns', is_error: true, api_error_status: null };
          exitCode = 1;
          break;
        case 'exit':
          text = `Error: the session failed and exited with code ${ending.code}`;
          fields = {
            subtype: 'error_during_execution',
            is_error: true,
            api_error_status: null,
            errors: [text],
          };
          exitCode = ending.code;
          break;
      }
      const result = JSON.stringify({
        type: 'result',
        ...fields,
        ...common,
        session_id: ctx.sessionId,
        uuid: uuid(ids),
      });
      if (mode === 'text') return { stdout: [text], stderr: [], exitCode };
      return { stdout: [result], stderr: [], exitCode };
    },

    loopLine(index) {
      const text = fillerText(ctx.seed + index, 200);
      // A new id per line without remembering it: an endless session must not grow.
      return streamed ? assistant(`msg_01loop${index}`, { type: 'text', text }) : text;
    },
  };
}
