import type { ServerResponse } from 'node:http';
import type { FakeApiModule } from './module.js';
import { scenarioIn } from './scenario.js';
import { type ApiContext, type FakeApi, type FakeRequest, sendJson } from './server.js';
import { dropConnection, holdOpen, openEventStream, sendEvent } from './sse.js';

/**
 * Anthropic's Messages API as Claude Code uses it: POST /v1/messages with `stream: true`, answered with
 * server-sent events (message_start, content_block_start/delta/stop, message_delta, message_stop, and
 * `ping` keep-alives), errors as `{"type":"error","error":{"type","message"}}` with the HTTP status.
 * Shapes follow Anthropic's public API reference (streaming messages, errors).
 */

export const ANTHROPIC_SCENARIOS = [
  'normal',
  'long-think',
  'long-tool',
  'storm-429',
  'storm-529',
  'bad-request',
  'server-error',
  'dead-stream',
  'dropped',
  'dropped-silent',
  'trickle',
] as const;
export type AnthropicScenario = (typeof ANTHROPIC_SCENARIOS)[number];

/** Real-world timings in ms; the server scales them with its time scale. */
export const ANTHROPIC_TIMING = {
  /** A long silent think, kept alive by pings. */
  thinkMs: 120_000,
  pingEveryMs: 10_000,
  /** The silent shell command the long-tool scenario asks the CLI to run. */
  toolMs: 90_000,
  /** The trickle: one token every so often. */
  trickleTokens: 12,
  trickleEveryMs: 5_000,
} as const;

const MODEL_FALLBACK = 'claude-sonnet-4-5';

interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: unknown[];
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

let counter = 0;
const nextId = (prefix: string) => `${prefix}_fake${(++counter).toString(36).padStart(8, '0')}`;

/** Claude Code pointed at the fake: a dummy key, and no optional traffic (updates, telemetry). */
export function claudeApiEnv(url: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-offline-tests',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
}

export const fakeApi: FakeApiModule = { create: anthropicApi, cliEnv: claudeApiEnv };

export function anthropicApi(): FakeApi {
  return {
    name: 'anthropic',
    async handle(req, res, ctx) {
      if (req.method === 'POST' && req.path === '/v1/messages/count_tokens') {
        ctx.log('count-tokens');
        sendJson(res, 200, { input_tokens: Math.ceil(req.text.length / 4) });
        return true;
      }
      if (req.method !== 'POST' || req.path !== '/v1/messages') return false;
      const body = (req.json ?? {}) as MessagesBody;
      const scenario = (scenarioIn(JSON.stringify(body.messages ?? [])) ?? 'normal') as AnthropicScenario;
      await answer(scenario, req, body, res, ctx);
      return true;
    },
  };
}

async function answer(
  scenario: AnthropicScenario,
  req: FakeRequest,
  body: MessagesBody,
  res: ServerResponse,
  ctx: ApiContext,
): Promise<void> {
  const model = body.model ?? MODEL_FALLBACK;
  const afterTool = req.text.includes('"tool_result"');
  switch (scenario) {
    case 'storm-429':
      ctx.log(scenario, '429');
      return sendError(
        res,
        429,
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit',
      );
    case 'storm-529':
      ctx.log(scenario, '529');
      return sendError(res, 529, 'overloaded_error', 'Overloaded');
    case 'bad-request':
      ctx.log(scenario, '400');
      return sendError(res, 400, 'invalid_request_error', 'messages: scripted invalid request');
    case 'server-error':
      ctx.log(scenario, '500');
      return sendError(res, 500, 'api_error', 'Internal server error');
    case 'dead-stream':
      ctx.log(scenario, 'message_start, then silence');
      openEventStream(res);
      sendEvent(res, messageStart(model), 'message_start');
      return holdOpen(res);
    case 'dropped-silent':
      // The peer vanished without a reset (a NAT or proxy forgot the flow): the client cannot tell.
      ctx.log(scenario, '3 deltas, then silence');
      openEventStream(res);
      sendEvent(res, messageStart(model), 'message_start');
      sendPartialText(res);
      return holdOpen(res);
    case 'dropped': {
      ctx.log(scenario, 'reset after 3 deltas');
      openEventStream(res);
      sendEvent(res, messageStart(model), 'message_start');
      sendPartialText(res);
      await ctx.pause(200, res);
      return dropConnection(res);
    }
    case 'long-think': {
      ctx.log(scenario, `think ${ANTHROPIC_TIMING.thinkMs * ctx.timeScale} ms with pings`);
      openEventStream(res);
      sendEvent(res, messageStart(model), 'message_start');
      const pings = Math.floor(ANTHROPIC_TIMING.thinkMs / ANTHROPIC_TIMING.pingEveryMs);
      for (let i = 0; i < pings && !res.destroyed; i++) {
        await ctx.pause(ANTHROPIC_TIMING.pingEveryMs, res);
        sendEvent(res, { type: 'ping' }, 'ping');
      }
      return streamBlocks(res, [{ type: 'text', text: 'After long thought: DONE' }], 'end_turn');
    }
    case 'long-tool': {
      if (afterTool) {
        ctx.log(scenario, 'answer after the tool');
        return streamMessage(res, model, [{ type: 'text', text: 'The command finished. DONE' }], 'end_turn');
      }
      const ms = Math.round(ANTHROPIC_TIMING.toolMs * ctx.timeScale);
      ctx.log(scenario, `Bash tool, silent ${ms} ms`);
      const command = `node -e "setTimeout(() => {}, ${ms})"`;
      return streamMessage(
        res,
        model,
        [
          { type: 'text', text: 'I will run the command.' },
          {
            type: 'tool_use',
            id: nextId('toolu'),
            name: 'Bash',
            input: { command, description: 'Wait silently' },
          },
        ],
        'tool_use',
      );
    }
    case 'trickle': {
      ctx.log(
        scenario,
        `${ANTHROPIC_TIMING.trickleTokens} tokens, one per ${ANTHROPIC_TIMING.trickleEveryMs * ctx.timeScale} ms`,
      );
      openEventStream(res);
      sendEvent(res, messageStart(model), 'message_start');
      sendEvent(
        res,
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        'content_block_start',
      );
      for (let i = 0; i < ANTHROPIC_TIMING.trickleTokens && !res.destroyed; i++) {
        await ctx.pause(ANTHROPIC_TIMING.trickleEveryMs, res);
        sendEvent(
          res,
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `tok${i} ` } },
          'content_block_delta',
        );
      }
      sendEvent(
        res,
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'DONE' } },
        'content_block_delta',
      );
      sendEvent(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
      return finishMessage(res, 'end_turn', 40);
    }
    default:
      ctx.log(scenario === 'normal' ? 'normal' : `normal (unscripted "${scenario}")`);
      return streamMessage(res, model, [{ type: 'text', text: 'Hello from the fake API. DONE' }], 'end_turn');
  }
}

function sendPartialText(res: ServerResponse): void {
  sendEvent(
    res,
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  );
  for (const word of ['The ', 'answer ', 'is ']) {
    sendEvent(
      res,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } },
      'content_block_delta',
    );
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message } }, { 'request-id': nextId('req') });
}

function messageStart(model: string) {
  return {
    type: 'message_start',
    message: {
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 25,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  };
}

function streamMessage(res: ServerResponse, model: string, blocks: Block[], stopReason: string): void {
  openEventStream(res);
  sendEvent(res, messageStart(model), 'message_start');
  sendEvent(res, { type: 'ping' }, 'ping');
  streamBlocks(res, blocks, stopReason);
}

function streamBlocks(res: ServerResponse, blocks: Block[], stopReason: string): void {
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      sendEvent(
        res,
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        'content_block_start',
      );
      for (const piece of block.text.match(/.{1,12}/gs) ?? []) {
        sendEvent(
          res,
          { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } },
          'content_block_delta',
        );
      }
    } else {
      sendEvent(
        res,
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
        'content_block_start',
      );
      sendEvent(
        res,
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        },
        'content_block_delta',
      );
    }
    sendEvent(res, { type: 'content_block_stop', index }, 'content_block_stop');
  });
  finishMessage(res, stopReason, 15);
}

function finishMessage(res: ServerResponse, stopReason: string, outputTokens: number): void {
  sendEvent(
    res,
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
    'message_delta',
  );
  sendEvent(res, { type: 'message_stop' }, 'message_stop');
  res.end();
}
