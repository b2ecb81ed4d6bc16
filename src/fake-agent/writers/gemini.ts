import { fillerText } from '../filler.js';
import type { OutputMode } from '../options.js';
import type { ToolCall } from '../timeline.js';
import { SessionTally } from './session-text.js';
import type { FormatWriter, Output, StreamEvent, WriterContext } from './types.js';

/** Gemini streams assistant text as deltas of about this size. */
const DELTA_BYTES = 2048;

/** Google's API says 503 where Anthropic's says 529. */
const googleStatus = (status: number): number => (status === 529 ? 503 : status);

const API_ERRORS: Record<number, { status: string; message: string }> = {
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
};

/** Gemini's own exit code for "turn limit reached". */
const TURN_LIMIT_EXIT = 53;

function geminiTool(tool: ToolCall): { name: string; parameters: Record<string, string> } {
  switch (tool.name) {
    case 'Bash':
      return { name: 'run_shell_command', parameters: { command: tool.input.command ?? '' } };
    case 'Read':
      return { name: 'read_file', parameters: { absolute_path: tool.input.file_path ?? '' } };
    case 'Grep':
      return { name: 'search_file_content', parameters: { pattern: tool.input.pattern ?? '' } };
    case 'Edit':
      return { name: 'replace', parameters: { file_path: tool.input.file_path ?? '' } };
    case 'Write':
      return { name: 'write_file', parameters: { file_path: tool.input.file_path ?? '' } };
  }
}

/** `gemini -p PROMPT -o text|json|stream-json`. Retries are reported on stderr only, like the real CLI. */
export function createGeminiWriter(mode: OutputMode, ctx: WriterContext): FormatWriter {
  const tally = new SessionTally();
  const streamed = mode === 'stream-json';
  const line = (fields: Record<string, unknown>): string =>
    JSON.stringify({ type: fields.type, timestamp: new Date().toISOString(), ...fields });

  const render = (event: StreamEvent): Output => {
    switch (event.type) {
      case 'init':
        return {
          stdout: [
            line({ type: 'init', session_id: ctx.sessionId, model: ctx.model }),
            line({ type: 'message', role: 'user', content: ctx.prompt }),
          ],
          stderr: [],
        };
      case 'text': {
        const text = tally.text(event);
        const stdout: string[] = [];
        for (let at = 0; at < text.length || at === 0; at += DELTA_BYTES) {
          stdout.push(
            line({
              type: 'message',
              role: 'assistant',
              content: text.slice(at, at + DELTA_BYTES),
              delta: true,
            }),
          );
        }
        return { stdout, stderr: [] };
      }
      case 'tool-use': {
        tally.toolCalls++;
        const tool = geminiTool(event.tool);
        return {
          stdout: [
            line({
              type: 'tool_use',
              tool_name: tool.name,
              tool_id: event.tool.id,
              parameters: tool.parameters,
            }),
          ],
          stderr: [],
        };
      }
      case 'tool-result':
        return {
          stdout: [
            line({ type: 'tool_result', tool_id: event.toolId, status: 'success', output: event.output }),
          ],
          stderr: [],
        };
      case 'task-started':
      case 'task-notification':
        // Gemini says nothing while a shell command runs.
        return { stdout: [], stderr: [] };
      case 'retry': {
        const status = googleStatus(event.status);
        const error = API_ERRORS[status] ?? { status: 'INTERNAL', message: 'Internal error' };
        const body = JSON.stringify({
          error: { code: status, message: error.message, status: error.status },
        });
        return {
          stdout: [],
          stderr: [
            `Attempt ${event.attempt} failed with status ${status}. Retrying with backoff... ApiError: ${body}`,
          ],
        };
      }
    }
  };

  return {
    event(event) {
      const output = render(event);
      return { stdout: streamed ? output.stdout : [], stderr: output.stderr };
    },

    finish(ending, durationMs) {
      const usage = tally.usage(ctx.prompt);
      const tokens = {
        total_tokens: usage.input + usage.output,
        input_tokens: usage.input,
        output_tokens: usage.output,
        cached: usage.cached,
        input: usage.input,
      };
      // Per model as well: Gemini CLI counts the tokens of each model it used (one here).
      const stats = {
        ...tokens,
        duration_ms: durationMs,
        tool_calls: tally.toolCalls,
        models: { [ctx.model]: tokens },
      };
      let error: { type: string; message: string } | undefined;
      let exitCode = 0;
      switch (ending.kind) {
        case 'success':
          break;
        case 'api-error': {
          const status = googleStatus(ending.status);
          const known = API_ERRORS[status];
          error = {
            type: 'ApiError',
            message: `[${status} ${known?.status ?? 'ERROR'}] ${known?.message ?? ''}`.trim(),
          };
          // Gemini exits with the HTTP status, truncated to a byte (503 -> 247).
          exitCode = status % 256;
          break;
        }
        case 'max-turns':
          error = {
            type: 'FatalTurnLimitedError',
            message: `Reached max session turns (${ctx.maxTurns}) for this session.`,
          };
          exitCode = TURN_LIMIT_EXIT;
          break;
        case 'exit':
          error = { type: 'Error', message: `the session failed and exited with code ${ending.code}` };
          exitCode = ending.code;
          break;
      }
      if (mode === 'stream-json') {
        const result =
          error === undefined
            ? { type: 'result', status: 'success', stats }
            : { type: 'result', status: 'error', error, stats };
        return { stdout: [line(result)], stderr: [], exitCode };
      }
      if (mode === 'json') {
        const body =
          error === undefined
            ? { session_id: ctx.sessionId, response: tally.finalText, stats }
            : { session_id: ctx.sessionId, error: { ...error, code: exitCode } };
        return { stdout: [JSON.stringify(body)], stderr: [], exitCode };
      }
      return error === undefined
        ? { stdout: [tally.finalText], stderr: [], exitCode }
        : { stdout: [], stderr: [`Error: ${error.message}`], exitCode };
    },

    loopLine(index) {
      const text = fillerText(ctx.seed + index, 200);
      return streamed ? line({ type: 'message', role: 'assistant', content: text, delta: true }) : text;
    },
  };
}
