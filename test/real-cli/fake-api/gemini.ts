import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeApiModule } from './module.js';
import { OPENAI_GEMINI_SCENARIOS, scenarioIn } from './scenario.js';
import { type ApiContext, type FakeApi, sendJson } from './server.js';
import { dropConnection, holdOpen, openEventStream, sendEvent } from './sse.js';

/**
 * The Gemini API as Gemini CLI uses it: `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`, answered
 * with data-only server-sent events, one GenerateContentResponse each (`candidates[0].content.parts`, the
 * last with `finishReason` and `usageMetadata`); a thinking model streams thought parts (`thought: true`)
 * before its answer. Errors are `{"error":{"code","message","status"}}` with the HTTP status. Shapes follow
 * Google's public Gemini API reference (generateContent, streaming, error codes).
 */

export const GEMINI_SCENARIOS = OPENAI_GEMINI_SCENARIOS;
export type GeminiScenario = (typeof GEMINI_SCENARIOS)[number];

/** Real-world timings in ms; the server scales them with its time scale. */
export const GEMINI_TIMING = {
  /**
   * Gemini CLI prints nothing of its thoughts, so its long think is judged by the stall limit: five minutes,
   * so that the stall falls well clear of the I/O the CLI does as the first thoughts arrive.
   */
  thinkMs: 300_000,
  /** A thought summary this often while the model thinks. */
  thoughtEveryMs: 15_000,
  /** An SSE comment as keep-alive this often in the pings-only scenario (the API sends no keep-alive event). */
  keepaliveEveryMs: 5_000,
  /** The pings-only think: long enough to be stalled well clear of the CLI's start-up CPU and I/O. */
  pingsOnlyMs: 300_000,
  toolMs: 90_000,
  trickleTokens: 12,
  trickleEveryMs: 5_000,
} as const;

const ERRORS = {
  400: { message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
  429: { message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
  500: {
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    status: 'INTERNAL',
  },
  503: { message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
} as const;

/** API-key auth, two attempts per request instead of ten, no telemetry or update checks. */
const GEMINI_SETTINGS_SOURCE = fileURLToPath(new URL('./gemini-settings.json', import.meta.url));

/**
 * Gemini CLI ignores a system settings file (and then exits 41, "Invalid auth method") when any folder
 * above it is writable by group or others, such as /tmp, where a CI clone may live. So the file is copied
 * to a private folder under /run, which only root writes (the real-CLI tests run as root).
 */
export function geminiSettingsPath(): string {
  const dir = '/run/cc-stress-real-cli';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = join(dir, `gemini-settings-${process.pid}.json`);
  copyFileSync(GEMINI_SETTINGS_SOURCE, path);
  chmodSync(path, 0o600);
  return path;
}

/** Gemini CLI pointed at the fake: its base-URL variable, a dummy key, settings for offline use. */
export function geminiApiEnv(url: string): Record<string, string> {
  return {
    GOOGLE_GEMINI_BASE_URL: url,
    GEMINI_API_KEY: 'fake-key-for-offline-tests',
    GEMINI_CLI_SYSTEM_SETTINGS_PATH: geminiSettingsPath(),
    // Headless runs refuse an untrusted folder; every task runs in a fresh one.
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
  };
}

export const fakeApi: FakeApiModule = { create: geminiApi, cliEnv: geminiApiEnv };

interface Content {
  role?: string;
  parts?: { text?: string; functionResponse?: unknown }[];
}

const USAGE = { promptTokenCount: 120, candidatesTokenCount: 15, totalTokenCount: 135 };

export function geminiApi(): FakeApi {
  return {
    name: 'gemini',
    async handle(req, res, ctx) {
      const call = /^\/v1beta\/models\/([^:/]+):(\w+)$/.exec(req.path);
      if (req.method !== 'POST' || call === null) return false;
      const [, model = 'gemini', method] = call;
      if (method === 'countTokens') {
        ctx.log('count-tokens');
        sendJson(res, 200, { totalTokens: Math.ceil(req.text.length / 4) });
        return true;
      }
      if (method !== 'streamGenerateContent' && method !== 'generateContent') return false;
      const contents = ((req.json ?? {}) as { contents?: Content[] }).contents ?? [];
      const userText = JSON.stringify(contents.filter((c) => c.role === 'user'));
      const scenario = (scenarioIn(userText) ?? 'normal') as GeminiScenario;
      if (method === 'generateContent') {
        // Side calls (routing, summaries, loop checks) want one short JSON answer.
        ctx.log(`side call (${scenario})`);
        sendJson(res, 200, chunk(model, [{ text: '{}' }], true));
        return true;
      }
      const afterTool = contents.at(-1)?.parts?.some((p) => p.functionResponse !== undefined) ?? false;
      await answer(scenario, model, afterTool, res, ctx);
      return true;
    },
  };
}

async function answer(
  scenario: GeminiScenario,
  model: string,
  afterTool: boolean,
  res: ServerResponse,
  ctx: ApiContext,
): Promise<void> {
  const send = (parts: unknown[], last = false) => sendEvent(res, chunk(model, parts, last));
  switch (scenario) {
    case 'storm-429':
    case 'storm-503':
    case 'bad-request':
    case 'server-error': {
      const status = (
        { 'storm-429': 429, 'storm-503': 503, 'bad-request': 400, 'server-error': 500 } as const
      )[scenario];
      ctx.log(scenario, String(status));
      sendJson(res, status, { error: { code: status, ...ERRORS[status] } });
      return;
    }
    case 'dead-stream':
      ctx.log(scenario, 'one chunk, then silence');
      openEventStream(res);
      send([{ text: 'The ' }]);
      return holdOpen(res);
    case 'dropped':
      ctx.log(scenario, 'reset after 3 chunks');
      openEventStream(res);
      for (const text of ['The ', 'answer ', 'is ']) send([{ text }]);
      await ctx.pause(200, res);
      return dropConnection(res);
    case 'long-think': {
      // Gemini CLI's stream-json output has no event for thought parts: they reach only its socket.
      ctx.log(scenario, `think ${GEMINI_TIMING.thinkMs * ctx.timeScale} ms with thought summaries`);
      openEventStream(res);
      const thoughts = Math.floor(GEMINI_TIMING.thinkMs / GEMINI_TIMING.thoughtEveryMs);
      for (let i = 0; i < thoughts && !res.destroyed; i++) {
        send([{ text: `**Weighing option ${i + 1}**`, thought: true }]);
        await ctx.pause(GEMINI_TIMING.thoughtEveryMs, res);
      }
      return finish(res, send, 'After long thought: DONE');
    }
    case 'pings-only': {
      ctx.log(
        scenario,
        `think ${GEMINI_TIMING.pingsOnlyMs * ctx.timeScale} ms with keep-alive comments only`,
      );
      openEventStream(res);
      const pings = Math.floor(GEMINI_TIMING.pingsOnlyMs / GEMINI_TIMING.keepaliveEveryMs);
      for (let i = 0; i < pings && !res.destroyed; i++) {
        await ctx.pause(GEMINI_TIMING.keepaliveEveryMs, res);
        if (!res.destroyed) res.write(': keep-alive\n\n');
      }
      return finish(res, send, 'After long thought: DONE');
    }
    case 'long-tool': {
      openEventStream(res);
      if (afterTool) {
        ctx.log(scenario, 'answer after the tool');
        return finish(res, send, 'The command finished. DONE');
      }
      const ms = Math.round(GEMINI_TIMING.toolMs * ctx.timeScale);
      ctx.log(scenario, `run_shell_command, silent ${ms} ms`);
      const args = { command: `sleep ${ms / 1000}`, description: 'Wait silently' };
      send([{ text: 'I will run the command.' }]);
      send([{ functionCall: { name: 'run_shell_command', args } }], true);
      res.end();
      return;
    }
    case 'trickle': {
      ctx.log(
        scenario,
        `${GEMINI_TIMING.trickleTokens} tokens, one per ${GEMINI_TIMING.trickleEveryMs * ctx.timeScale} ms`,
      );
      openEventStream(res);
      for (let i = 0; i < GEMINI_TIMING.trickleTokens && !res.destroyed; i++) {
        send([{ text: `tok${i} ` }]);
        await ctx.pause(GEMINI_TIMING.trickleEveryMs, res);
      }
      return finish(res, send, 'DONE');
    }
    default:
      ctx.log(scenario === 'normal' ? 'normal' : `normal (unscripted "${scenario}")`);
      openEventStream(res);
      return finish(res, send, 'Hello from the fake API. DONE');
  }
}

function finish(
  res: ServerResponse,
  send: (parts: unknown[], last?: boolean) => boolean,
  text: string,
): void {
  const pieces = text.match(/.{1,12}/gs) ?? [];
  for (const [i, piece] of pieces.entries()) send([{ text: piece }], i === pieces.length - 1);
  res.end();
}

function chunk(model: string, parts: unknown[], last: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
    ...(last ? { usageMetadata: USAGE } : {}),
    modelVersion: model,
  };
}
