import type { ServerResponse } from 'node:http';
import type { FakeApiModule } from './module.js';
import { OPENAI_GEMINI_SCENARIOS, scenarioIn } from './scenario.js';
import { type ApiContext, type FakeApi, type FakeRequest, sendJson } from './server.js';
import { dropConnection, holdOpen, openEventStream, sendEvent } from './sse.js';

/**
 * The OpenAI Responses API as Codex CLI uses it: `POST /v1/responses` with `stream: true`, answered with
 * server-sent events (`event: <type>` and a `data:` object of the same `type` with a `sequence_number`),
 * from `response.created` to `response.completed`, and `keepalive` events while the model reasons without
 * output. Errors are `{"error":{"message","type","param","code"}}` with the HTTP status. Shapes follow
 * OpenAI's public API reference (Responses streaming events, error codes).
 */

export const OPENAI_SCENARIOS = OPENAI_GEMINI_SCENARIOS;
export type OpenAiScenario = (typeof OPENAI_SCENARIOS)[number];

/** Real-world timings in ms; the server scales them with its time scale. */
export const OPENAI_TIMING = {
  thinkMs: 120_000,
  /** A reasoning summary this often during the long think, each its own reasoning item. */
  thoughtEveryMs: 15_000,
  /** The API's keepalive interval while nothing else is sent. */
  keepaliveEveryMs: 5_000,
  /** The pings-only think: long enough to be stalled well clear of the CLI's start-up CPU and I/O. */
  pingsOnlyMs: 300_000,
  toolMs: 90_000,
  trickleTokens: 12,
  trickleEveryMs: 5_000,
} as const;

/** Codex's shell tool yields after at most this long; a longer command is polled with write_stdin. */
const YIELD_MS = 30_000;

const ERRORS = {
  400: {
    message: "Invalid 'input[0].content': empty array. Expected an array with minimum length 1.",
    type: 'invalid_request_error',
    code: 'empty_array',
  },
  429: {
    message: 'Rate limit reached for requests per min (RPM). Please try again in 1s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: { message: 'The server is overloaded or not ready yet.', type: 'server_error', code: null },
} as const;

/**
 * Codex takes its provider from config, not from the environment (OPENAI_BASE_URL is ignored): the suite
 * passes `-c model_providers.fake.base_url="${OPENAI_FAKE_URL}"` and friends, and the key by `env_key`.
 */
export function codexApiEnv(url: string): Record<string, string> {
  return { OPENAI_FAKE_URL: `${url}/v1`, OPENAI_API_KEY: 'sk-fake-key-for-offline-tests' };
}

export const fakeApi: FakeApiModule = { create: openAiApi, cliEnv: codexApiEnv };

interface InputItem {
  type?: string;
  role?: string;
  output?: unknown;
}

export function openAiApi(): FakeApi {
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_fake${(++counter).toString(36).padStart(8, '0')}`;
  return {
    name: 'openai',
    async handle(req, res, ctx) {
      if (req.method !== 'POST' || req.path !== '/v1/responses') return false;
      const body = (req.json ?? {}) as { model?: string; input?: InputItem[] };
      const input = Array.isArray(body.input) ? body.input : [];
      const userText = JSON.stringify(input.filter((item) => item.role === 'user'));
      const scenario = (scenarioIn(userText) ?? 'normal') as OpenAiScenario;
      await answer(scenario, { req, model: body.model ?? 'gpt-5.5', input, nextId }, res, ctx);
      return true;
    },
  };
}

interface Call {
  req: FakeRequest;
  model: string;
  input: InputItem[];
  nextId: (prefix: string) => string;
}

async function answer(scenario: OpenAiScenario, call: Call, res: ServerResponse, ctx: ApiContext) {
  const toolOutput = lastToolOutput(call.input);
  switch (scenario) {
    case 'storm-429':
      ctx.log(scenario, '429');
      return sendError(res, 429, { 'retry-after': '1' });
    case 'storm-503':
      ctx.log(scenario, '503');
      return sendError(res, 503);
    case 'bad-request':
      ctx.log(scenario, '400');
      return sendError(res, 400);
    case 'server-error':
      ctx.log(scenario, '500');
      return sendError(res, 500);
    case 'dead-stream': {
      ctx.log(scenario, 'response.created, then silence');
      const stream = new ResponseStream(res, call);
      stream.start();
      return holdOpen(res);
    }
    case 'dropped': {
      ctx.log(scenario, 'reset after 3 deltas');
      const stream = new ResponseStream(res, call);
      stream.start();
      stream.partialText(['The ', 'answer ', 'is ']);
      await ctx.pause(200, res);
      return dropConnection(res);
    }
    case 'long-think': {
      ctx.log(
        scenario,
        `think ${OPENAI_TIMING.thinkMs * ctx.timeScale} ms, reasoning summaries and keepalives`,
      );
      const stream = new ResponseStream(res, call);
      stream.start();
      const steps = Math.floor(OPENAI_TIMING.thinkMs / OPENAI_TIMING.keepaliveEveryMs);
      const perThought = OPENAI_TIMING.thoughtEveryMs / OPENAI_TIMING.keepaliveEveryMs;
      for (let i = 1; i <= steps && !res.destroyed; i++) {
        await ctx.pause(OPENAI_TIMING.keepaliveEveryMs, res);
        if (i % perThought === 0) {
          // Codex prints a reasoning item when it is done, so each summary is an item of its own.
          stream.reasoningDone(stream.reasoningStart(), `**Weighing option ${i / perThought}**`);
        } else stream.event('keepalive', {});
      }
      stream.message('After long thought: DONE');
      return stream.complete();
    }
    case 'pings-only': {
      ctx.log(scenario, `think ${OPENAI_TIMING.pingsOnlyMs * ctx.timeScale} ms with keepalives only`);
      const stream = new ResponseStream(res, call);
      stream.start();
      const reasoning = stream.reasoningStart();
      const pings = Math.floor(OPENAI_TIMING.pingsOnlyMs / OPENAI_TIMING.keepaliveEveryMs);
      for (let i = 0; i < pings && !res.destroyed; i++) {
        await ctx.pause(OPENAI_TIMING.keepaliveEveryMs, res);
        stream.event('keepalive', {});
      }
      stream.reasoningDone(reasoning, '**Weighing the options**');
      stream.message('After long thought: DONE');
      return stream.complete();
    }
    case 'long-tool': {
      const stream = new ResponseStream(res, call);
      const poll =
        toolOutput === undefined ? undefined : /Process running with session ID (\d+)/.exec(toolOutput);
      if (toolOutput !== undefined && poll === null) {
        ctx.log(scenario, 'answer after the tool');
        stream.start();
        stream.message('The command finished. DONE');
        return stream.complete();
      }
      stream.start();
      if (poll) {
        ctx.log(scenario, 'poll the running command');
        stream.functionCall('write_stdin', {
          session_id: Number(poll[1]),
          chars: '',
          yield_time_ms: YIELD_MS,
        });
      } else {
        const ms = Math.round(OPENAI_TIMING.toolMs * ctx.timeScale);
        ctx.log(scenario, `exec_command, silent ${ms} ms`);
        // A reasoning model says why before it calls a tool.
        stream.reasoningDone(stream.reasoningStart(), '**Running the slow command**');
        stream.functionCall('exec_command', { cmd: `sleep ${ms / 1000}`, yield_time_ms: YIELD_MS });
      }
      return stream.complete();
    }
    case 'trickle': {
      ctx.log(
        scenario,
        `${OPENAI_TIMING.trickleTokens} tokens, one per ${OPENAI_TIMING.trickleEveryMs * ctx.timeScale} ms`,
      );
      const stream = new ResponseStream(res, call);
      stream.start();
      const message = stream.messageStart();
      for (let i = 0; i < OPENAI_TIMING.trickleTokens && !res.destroyed; i++) {
        await ctx.pause(OPENAI_TIMING.trickleEveryMs, res);
        stream.delta(message, `tok${i} `);
      }
      stream.delta(message, 'DONE');
      stream.messageDone(message);
      return stream.complete();
    }
    default: {
      ctx.log(scenario === 'normal' ? 'normal' : `normal (unscripted "${scenario}")`);
      const stream = new ResponseStream(res, call);
      stream.start();
      stream.message('Hello from the fake API. DONE');
      return stream.complete();
    }
  }
}

function lastToolOutput(input: InputItem[]): string | undefined {
  const last = input.at(-1);
  if (last?.type !== 'function_call_output') return undefined;
  return typeof last.output === 'string' ? last.output : JSON.stringify(last.output);
}

function sendError(res: ServerResponse, status: keyof typeof ERRORS, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { ...ERRORS[status], param: null } }, headers);
}

interface OpenMessage {
  id: string;
  index: number;
  text: string;
}

/** One streamed response: numbers its events and collects its output items for `response.completed`. */
class ResponseStream {
  private sequence = 0;
  private readonly output: Record<string, unknown>[] = [];
  private readonly response: Record<string, unknown>;

  constructor(
    private readonly res: ServerResponse,
    private readonly call: Call,
  ) {
    this.response = {
      id: call.nextId('resp'),
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'in_progress',
      model: call.model,
      output: [],
    };
  }

  event(type: string, fields: Record<string, unknown>): void {
    sendEvent(this.res, { type, sequence_number: this.sequence++, ...fields }, type);
  }

  start(): void {
    openEventStream(this.res);
    this.event('response.created', { response: this.response });
    this.event('response.in_progress', { response: this.response });
  }

  reasoningStart(): Record<string, unknown> {
    const item = { id: this.call.nextId('rs'), type: 'reasoning', summary: [] };
    this.event('response.output_item.added', { output_index: this.output.length, item });
    return item;
  }

  reasoningDone(item: Record<string, unknown>, summary: string): void {
    const done = { ...item, summary: [{ type: 'summary_text', text: summary }] };
    this.event('response.output_item.done', { output_index: this.output.length, item: done });
    this.output.push(done);
  }

  messageStart(): OpenMessage {
    const message = { id: this.call.nextId('msg'), index: this.output.length, text: '' };
    const item = { id: message.id, type: 'message', role: 'assistant', status: 'in_progress', content: [] };
    this.event('response.output_item.added', { output_index: message.index, item });
    this.event('response.content_part.added', {
      item_id: message.id,
      output_index: message.index,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
    return message;
  }

  delta(message: OpenMessage, delta: string): void {
    message.text += delta;
    this.event('response.output_text.delta', {
      item_id: message.id,
      output_index: message.index,
      content_index: 0,
      delta,
    });
  }

  messageDone(message: OpenMessage): void {
    const where = { item_id: message.id, output_index: message.index, content_index: 0 };
    this.event('response.output_text.done', { ...where, text: message.text });
    const part = { type: 'output_text', text: message.text, annotations: [] };
    this.event('response.content_part.done', { ...where, part });
    const item = { id: message.id, type: 'message', role: 'assistant', status: 'completed', content: [part] };
    this.event('response.output_item.done', { output_index: message.index, item });
    this.output.push(item);
  }

  message(text: string): void {
    const message = this.messageStart();
    for (const piece of text.match(/.{1,12}/gs) ?? []) this.delta(message, piece);
    this.messageDone(message);
  }

  partialText(pieces: string[]): void {
    const message = this.messageStart();
    for (const piece of pieces) this.delta(message, piece);
  }

  functionCall(name: string, args: Record<string, unknown>): void {
    const index = this.output.length;
    const item = {
      id: this.call.nextId('fc'),
      type: 'function_call',
      status: 'completed',
      call_id: this.call.nextId('call'),
      name,
      arguments: JSON.stringify(args),
    };
    this.event('response.output_item.added', { output_index: index, item: { ...item, arguments: '' } });
    this.event('response.function_call_arguments.delta', {
      item_id: item.id,
      output_index: index,
      delta: item.arguments,
    });
    this.event('response.function_call_arguments.done', {
      item_id: item.id,
      output_index: index,
      arguments: item.arguments,
    });
    this.event('response.output_item.done', { output_index: index, item });
    this.output.push(item);
  }

  complete(): void {
    this.event('response.completed', {
      response: {
        ...this.response,
        status: 'completed',
        output: this.output,
        usage: {
          input_tokens: 120,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 15,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 135,
        },
      },
    });
    this.res.end();
  }
}
