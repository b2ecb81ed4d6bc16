import { fillerText } from '../filler.js';
import type { OutputMode } from '../options.js';
import { createRng, uuid } from '../rng.js';
import { SessionTally } from './session-text.js';
import type { FormatWriter, Output, StreamEvent, WriterContext } from './types.js';

const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'WebFetch', 'TodoWrite', 'WebSearch'];

/** The error type and the final text the real CLI (2.1.332) prints when it gives up on each status. */
const API_ERRORS: Record<number, { type: string; text: string }> = {
  429: {
    type: 'rate_limit_error',
    text: 'API Error: Request rejected (429) · This request would exceed the rate limit for your organization.',
  },
  529: {
    type: 'overloaded_error',
    text: 'API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.',
  },
};
const OTHER_API_ERROR = { type: 'api_error', text: 'API Error: 500 Internal server error.' };

/** Fields every result line carries in 2.1.332 that say nothing about this session. */
const RESULT_CONSTANTS = {
  fast_mode_state: 'off',
  fast_mode_disabled_reason: 'sdk_opt_in_required',
  subagent_stats: {
    spawned: 0,
    requested: { background: 0, foreground: 0, unset: 0 },
    started_in_background: 0,
    max_depth: 0,
    spawned_by_subagents: 0,
    completed: 0,
    failed: 0,
    killed: { parent: 0, user: 0, system: 0 },
    refused: { depth_limit: 0, concurrency_limit: 0, budget: 0 },
    by_type: {},
  },
  safety_stops: 0,
  queued_turn_count: 0,
  result_index: 0,
  model_usage_since_last_result: {},
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
  // Message lines carry the wall-clock time they were printed at, like the real CLI's.
  const timestamp = () => new Date().toISOString();
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
        context_management: null,
      },
      parent_tool_use_id: null,
      timestamp: timestamp(),
    });
  /** The message the CLI makes up itself when it gives up on the API, printed before the result. */
  const apiErrorMessage = (status: number, error: { type: string; text: string }): string =>
    line({
      type: 'assistant',
      message: {
        diagnostics: null,
        id: uuid(ids),
        container: null,
        model: '<synthetic>',
        role: 'assistant',
        stop_details: null,
        stop_reason: 'stop_sequence',
        stop_sequence: '',
        type: 'message',
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
        content: [{ type: 'text', text: error.text }],
        context_management: null,
      },
      parent_tool_use_id: null,
      timestamp: timestamp(),
      error: 'server_error',
      request_id: `req_01${uuid(ids).replaceAll('-', '').slice(0, 22)}`,
      is_api_error_message: true,
      api_error_status: status,
      api_error_type: error.type,
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
            terminal_slash_commands: [],
            apiKeySource: 'none',
            claude_code_version: '2.1.332',
            output_style: 'default',
            agents: [],
            skills: [],
            plugins: [],
            capabilities: [],
            analytics_disabled: true,
            product_feedback_disabled: true,
            served_by_anthropic: true,
            sandbox_enabled: false,
            memory_paths: {},
            original_cwd: process.cwd(),
            additional_directories: [],
            messaging_socket_path: null,
            fast_mode_state: 'off',
            fast_mode_disabled_reason: 'sdk_opt_in_required',
            per_turn_effort_active: false,
            ultrathink_available: false,
            ultrathink_typed_raises: false,
            view_mode: 'default',
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
            run_id: `run-${event.taskId}`,
            tool_use_id: event.toolId,
            description: event.description,
            is_backgrounded: false,
            task_type: 'local_bash',
          }),
        ];
      case 'task-notification':
        return [
          line({
            type: 'system',
            subtype: 'task_notification',
            task_id: event.taskId,
            run_id: `run-${event.taskId}`,
            tool_use_id: event.toolId,
            status: 'completed',
            output_file: '',
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
            timestamp: timestamp(),
            tool_use_result: {
              stdout: event.output,
              stderr: '',
              interrupted: false,
              isImage: false,
              noOutputExpected: false,
            },
            tool_result_meta: [
              {
                id: event.toolId,
                permission_decision: { decision: 'accept', source: 'config', reason_type: 'rule' },
              },
            ],
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
        ...RESULT_CONSTANTS,
      };
      let before: string[] = [];
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
            terminal_reason: 'completed',
            // Latencies of the first answer, which only a successful session has.
            ttft_ms: Math.round(durationMs * 0.3),
            ttft_stream_ms: Math.round(durationMs * 0.3),
            time_to_request_ms: Math.round(durationMs * 0.25),
            first_content_frame_ms: Math.round(durationMs * 0.3),
          };
          exitCode = 0;
          break;
        case 'api-error': {
          const error = API_ERRORS[ending.status] ?? OTHER_API_ERROR;
          text = error.text;
          before = [apiErrorMessage(ending.status, error)];
          // The real CLI reports API failures as subtype "success" with is_error true.
          fields = {
            subtype: 'success',
            is_error: true,
            api_error_status: ending.status,
            api_error_type: error.type,
            result: text,
            stop_reason: 'stop_sequence',
            terminal_reason: 'api_error',
          };
          exitCode = 1;
          break;
        }
        case 'max-turns':
          text = `Error: Reached max turns (${ctx.maxTurns})`;
          fields = {
            subtype: 'error_max_turns',
            is_error: true,
            api_error_status: null,
            terminal_reason: 'max_turns',
          };
          exitCode = 1;
          break;
        case 'exit':
          text = `Error: the session failed and exited with code ${ending.code}`;
          fields = {
            subtype: 'error_during_execution',
            is_error: true,
            api_error_status: null,
            errors: [text],
            terminal_reason: 'error',
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
      return { stdout: streamed ? [...before, result] : [result], stderr: [], exitCode };
    },

    loopLine(index) {
      const text = fillerText(ctx.seed + index, 200);
      // A new id per line without remembering it: an endless session must not grow.
      return streamed ? assistant(`msg_01loop${index}`, { type: 'text', text }) : text;
    },
  };
}
