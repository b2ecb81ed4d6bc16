import { z } from 'zod';
import { parseDuration } from './duration.js';

export type AgentFormat = 'claude' | 'codex' | 'gemini';
export type OutputMode = 'text' | 'json' | 'stream-json';

/** How the session ends when it does not end well (or never ends). */
export type FailMode =
  | { kind: 'hang' }
  | { kind: 'hang-after'; events: number }
  | { kind: 'crash'; how: 'segv' | 'abort' | 'exit' }
  | { kind: 'exit'; code: number }
  | { kind: 'rate-limit' }
  | { kind: 'overloaded' }
  | { kind: 'max-turns' }
  | { kind: 'busy-hang' }
  | { kind: 'output-loop' };

export interface FakeAgentOptions {
  format: AgentFormat;
  mode: OutputMode;
  prompt: string;
  model: string | undefined;
  /** The real CLI's own turn limit (`--max-turns`); more planned turns than this ends in error_max_turns. */
  maxTurns: number | undefined;
  durationMs: number;
  jitter: number;
  seed: number;
  turns: number;
  thinkMs: number;
  thinkCount: number;
  outputBytes: number;
  toolDurationMs: number;
  retries: number;
  resultText: string;
  transcriptDir: string | undefined;
  busy: boolean;
  fail: FailMode | undefined;
  ignoreSigterm: boolean;
  grandchild: boolean;
  /** Print the planned timeline as JSON and exit, without playing it. */
  printPlan: boolean;
}

export class UsageError extends Error {}

const duration = (flag: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${flag}: expected a duration like 500ms, 4s or 2m, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  });

const integer = (flag: string, min: number, max: number) =>
  z.string().transform((text, ctx) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${flag}: expected a whole number from ${min} to ${max}, got "${text}"`,
      });
      return z.NEVER;
    }
    return value;
  });

const OUTCOME_MODES =
  'hang, hang-after:N, crash[:segv|abort|exit], exit:N, rate-limit, overloaded, max-turns, busy-hang, output-loop';

function parseFailMode(text: string): FailMode | 'ignore-sigterm' | 'grandchild' | undefined {
  const [name, arg] = text.split(':', 2) as [string, string | undefined];
  const count = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : undefined;
  switch (name) {
    case 'hang':
    case 'rate-limit':
    case 'overloaded':
    case 'max-turns':
    case 'busy-hang':
    case 'output-loop':
      return arg === undefined ? { kind: name } : undefined;
    case 'ignore-sigterm':
    case 'grandchild':
      return arg === undefined ? name : undefined;
    case 'hang-after':
      return count !== undefined ? { kind: 'hang-after', events: count } : undefined;
    case 'exit':
      return count !== undefined && count <= 255 ? { kind: 'exit', code: count } : undefined;
    case 'crash':
      if (arg === undefined) return { kind: 'crash', how: 'segv' };
      return arg === 'segv' || arg === 'abort' || arg === 'exit' ? { kind: 'crash', how: arg } : undefined;
    default:
      return undefined;
  }
}

const failList = z.array(z.string()).transform((values, ctx) => {
  const result = { fail: undefined as FailMode | undefined, ignoreSigterm: false, grandchild: false };
  for (const text of values.flatMap((value) => value.split(',')).filter((v) => v !== '')) {
    const mode = parseFailMode(text);
    if (mode === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `--fake-fail: unknown mode "${text}"; use ${OUTCOME_MODES}, ignore-sigterm or grandchild`,
      });
      return z.NEVER;
    }
    if (mode === 'ignore-sigterm') result.ignoreSigterm = true;
    else if (mode === 'grandchild') result.grandchild = true;
    else if (result.fail !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `--fake-fail: "${text}" conflicts with an earlier ending mode`,
      });
      return z.NEVER;
    } else result.fail = mode;
  }
  return result;
});

const fakeFlags = z
  .object({
    '--fake-format': z.enum(['claude', 'codex', 'gemini']).default('claude'),
    '--fake-duration': duration('--fake-duration').default(2000),
    '--fake-jitter': z.coerce.number().min(0).max(3).default(0.2),
    '--fake-seed': integer('--fake-seed', 0, 2 ** 32 - 1).optional(),
    '--fake-turns': integer('--fake-turns', 1, 10_000).default(3),
    '--fake-think': duration('--fake-think').default(0),
    '--fake-think-count': integer('--fake-think-count', 0, 10_000).optional(),
    '--fake-output-bytes': integer('--fake-output-bytes', 0, 2 ** 31 - 1).default(2000),
    '--fake-tool-duration': duration('--fake-tool-duration').default(0),
    '--fake-retries': integer('--fake-retries', 0, 1000).default(3),
    '--fake-result': z.string().default('DONE'),
    '--fake-transcript': z.string().min(1).optional(),
    '--fake-busy': z.boolean().default(false),
    '--fake-plan': z.boolean().default(false),
    '--fake-fail': failList.default({ fail: undefined, ignoreSigterm: false, grandchild: false }),
  })
  .strict();

type FlagKind = 'value' | 'boolean' | 'list';
const FAKE_FLAG_KINDS: Record<string, FlagKind> = {
  '--fake-format': 'value',
  '--fake-duration': 'value',
  '--fake-jitter': 'value',
  '--fake-seed': 'value',
  '--fake-turns': 'value',
  '--fake-think': 'value',
  '--fake-think-count': 'value',
  '--fake-output-bytes': 'value',
  '--fake-tool-duration': 'value',
  '--fake-retries': 'value',
  '--fake-result': 'value',
  '--fake-transcript': 'value',
  '--fake-busy': 'boolean',
  '--fake-plan': 'boolean',
  '--fake-fail': 'list',
};

/** Options of the real CLIs that a suite may pass; accepted so the fake can stand in for them unchanged. */
const IGNORED_VALUE_FLAGS = new Set([
  '--allowedTools',
  '--allowed-tools',
  '--disallowedTools',
  '--disallowed-tools',
  '--permission-mode',
  '--append-system-prompt',
  '--system-prompt',
  '--add-dir',
  '--mcp-config',
  '--session-id',
  '--resume',
  '--max-budget-usd',
  '--fallback-model',
  '--input-format',
  '--settings',
  '--approval-mode',
  '--sandbox',
  '--config',
  '--cd',
  '--include-directories',
]);
const IGNORED_BOOLEAN_FLAGS = new Set([
  '--dangerously-skip-permissions',
  '--include-partial-messages',
  '--debug',
  '--skip-git-repo-check',
  '--full-auto',
  '--yolo',
  '--strict-mcp-config',
]);

interface Collected {
  fake: Record<string, string | boolean | string[]>;
  positionals: string[];
  outputFormat: string | undefined;
  verbose: boolean;
  json: boolean;
  model: string | undefined;
  maxTurns: string | undefined;
}

function collect(argv: string[], into: Collected): void {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('-') || token === '-') {
      into.positionals.push(token);
      continue;
    }
    if (token === '--') {
      into.positionals.push(...argv.slice(i + 1));
      return;
    }
    const eq = token.indexOf('=');
    const name = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
    const inline = token.startsWith('--') && eq > 0 ? token.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`error: option '${name}' argument missing`);
      i++;
      return next;
    };
    const kind = FAKE_FLAG_KINDS[name];
    if (kind === 'boolean') into.fake[name] = true;
    else if (kind === 'value') into.fake[name] = value();
    else if (kind === 'list')
      into.fake[name] = [...((into.fake[name] as string[] | undefined) ?? []), value()];
    else if (name === '-p' || name === '--print') {
      // claude's -p is a switch (the prompt is positional); gemini's takes the prompt. Both end up positional.
      if (inline !== undefined) into.positionals.push(inline);
    } else if (name === '--output-format' || name === '-o') into.outputFormat = value();
    else if (name === '--verbose') into.verbose = true;
    else if (name === '--json') into.json = true;
    else if (name === '--model' || name === '-m') into.model = value();
    else if (name === '--max-turns') into.maxTurns = value();
    else if (IGNORED_VALUE_FLAGS.has(name)) value();
    else if (!IGNORED_BOOLEAN_FLAGS.has(name)) throw new UsageError(`error: unknown option '${name}'`);
  }
}

/** FAKE_AGENT_OPTS holds only --fake-* flags, split on spaces; quoting is not supported. */
function envArgs(env: NodeJS.ProcessEnv): string[] {
  return (env.FAKE_AGENT_OPTS ?? '').split(/\s+/).filter((token) => token !== '');
}

function outputMode(format: AgentFormat, collected: Collected): OutputMode {
  if (format === 'codex') return collected.json ? 'stream-json' : 'text';
  const mode = collected.outputFormat ?? 'text';
  if (mode !== 'text' && mode !== 'json' && mode !== 'stream-json') {
    const flag = format === 'gemini' ? '-o, --output-format' : '--output-format <format>';
    throw new UsageError(
      `error: option '${flag}' argument '${mode}' is invalid. Allowed choices are text, json, stream-json.`,
    );
  }
  if (format === 'claude' && mode === 'stream-json' && !collected.verbose) {
    throw new UsageError('Error: When using --print, --output-format=stream-json requires --verbose');
  }
  return mode;
}

/**
 * Reads the real CLI's flags it imitates plus the --fake-* flags that script the session.
 * FAKE_AGENT_OPTS comes first, so flags on the command line win.
 */
export function parseFakeAgentOptions(argv: string[], env: NodeJS.ProcessEnv = {}): FakeAgentOptions {
  const collected: Collected = {
    fake: {},
    positionals: [],
    outputFormat: undefined,
    verbose: false,
    json: false,
    model: undefined,
    maxTurns: undefined,
  };
  const fromEnv = envArgs(env);
  const stray = fromEnv.find(
    (token) => token.startsWith('-') && !token.replace(/=.*/, '').startsWith('--fake-'),
  );
  if (stray !== undefined)
    throw new UsageError(`FAKE_AGENT_OPTS: only --fake-* flags are allowed, got '${stray}'`);
  collect(fromEnv, collected);
  collect(argv, collected);

  const parsed = fakeFlags.safeParse(collected.fake);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue?.path[0] ?? '');
    const message = issue?.message ?? 'invalid value';
    throw new UsageError(message.startsWith(flag) ? message : `${flag}: ${message}`);
  }
  const flags = parsed.data;
  const format = flags['--fake-format'];
  const positionals = [...collected.positionals];
  if (format === 'codex' && positionals[0] === 'exec') positionals.shift();
  let maxTurns: number | undefined;
  if (collected.maxTurns !== undefined) {
    const turns = integer('--max-turns', 1, 1_000_000).safeParse(collected.maxTurns);
    if (!turns.success) throw new UsageError(turns.error.issues[0]?.message ?? '--max-turns: invalid value');
    maxTurns = turns.data;
  }

  return {
    format,
    mode: outputMode(format, collected),
    prompt: positionals.join(' '),
    model: collected.model,
    maxTurns,
    durationMs: flags['--fake-duration'],
    jitter: flags['--fake-jitter'],
    seed: flags['--fake-seed'] ?? Math.floor(Math.random() * 2 ** 32),
    turns: flags['--fake-turns'],
    thinkMs: flags['--fake-think'],
    thinkCount: flags['--fake-think-count'] ?? (flags['--fake-think'] > 0 ? 1 : 0),
    outputBytes: flags['--fake-output-bytes'],
    toolDurationMs: flags['--fake-tool-duration'],
    retries: flags['--fake-retries'],
    resultText: flags['--fake-result'],
    transcriptDir: flags['--fake-transcript'],
    busy: flags['--fake-busy'],
    fail: flags['--fake-fail'].fail,
    ignoreSigterm: flags['--fake-fail'].ignoreSigterm,
    grandchild: flags['--fake-fail'].grandchild,
    printPlan: flags['--fake-plan'],
  };
}
