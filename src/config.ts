import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { patternProblem } from './text/user-pattern.js';

/**
 * The one place where environment variables and the config file are read and validated.
 * Everything else receives a typed, validated `Config`.
 */

/** No limit of any kind is longer than a week: a larger number is a typo, and 1e300 would mean "never". */
const MAX_LIMIT_SECONDS = 7 * 24 * 3600;
const seconds = (): z.ZodNumber => z.number().positive().max(MAX_LIMIT_SECONDS);

const kindNumbers = z
  .object({
    'llm-agent': seconds(),
    build: seconds(),
    test: seconds(),
    other: seconds(),
  })
  .strict();

const classifierRule = z
  .object({
    /** Regular expression matched against the command line. */
    match: z.string().min(1),
    category: z.string().min(1).optional(),
    complexity: z.string().min(1).optional(),
    kind: z.enum(['llm-agent', 'build', 'test', 'other']).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    limits: z
      .object({
        /** Used by the config-default planner and as the prior when nothing is learned yet. */
        defaultMaxSeconds: z
          .number()
          .positive()
          .max(7 * 24 * 3600)
          .default(1800),
        defaultStallSeconds: z
          .number()
          .positive()
          .max(7 * 24 * 3600)
          .default(600),
        /** Time between SIGTERM to a task's process group and SIGKILL. */
        graceSeconds: z.number().min(0).max(600).default(5),
      })
      .strict()
      .default({ defaultMaxSeconds: 1800, defaultStallSeconds: 600, graceSeconds: 5 }),
    history: z
      .object({
        /** SQLite file of the embedded store. */
        path: z.string().min(1).optional(),
        redisUrl: z.string().min(1).optional(),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-", at most 64')
          .default('cc-stress'),
        maxRunsPerClass: z.number().int().min(8).max(100_000).default(256),
        ttlDays: z.number().positive().max(3650).default(30),
        /** Per-command timeout of Redis calls; a task start never waits longer on history. */
        commandTimeoutMs: z.number().int().min(10).max(5000).default(250),
        /** Records queued in the history file for Redis while it is unreachable; beyond it the oldest are dropped. */
        bufferLimit: z.number().int().min(0).max(1_000_000).default(10_000),
        /**
         * Classes whose last plan is kept (in memory, and in a small file beside the history file) so
         * that a task still gets at least those limits when history cannot be read.
         */
        planCacheSize: z.number().int().min(1).max(100_000).default(2000),
      })
      .strict()
      .default({
        keyPrefix: 'cc-stress',
        maxRunsPerClass: 256,
        ttlDays: 30,
        commandTimeoutMs: 250,
        bufferLimit: 10_000,
        planCacheSize: 2000,
      }),
    predictor: z
      .object({
        /** Target miss rate of the conformal bound (0.01 = a legitimate run is killed at most ~1% of the time). */
        alpha: z.number().gt(0).lt(0.5).default(0.01),
        safetyFactor: z.number().min(1).max(10).default(1.5),
        /** Samples needed before a class level is used on its own. */
        minSamples: z.number().int().min(3).max(10_000).default(20),
        /** Only this many recent runs per class feed the bound, so a step change is forgotten. */
        window: z.number().int().min(10).max(100_000).default(100),
        floorSeconds: seconds().default(10),
        capSeconds: seconds().default(4 * 3600),
        /** Smallest stall limit per kind: an agent may think silently for minutes. */
        stallFloorSeconds: kindNumbers.default({ 'llm-agent': 300, build: 120, test: 120, other: 60 }),
        /** Max limit per kind when a class has no history at all. */
        priorMaxSeconds: kindNumbers.default({ 'llm-agent': 1800, build: 1800, test: 1200, other: 900 }),
        /** Stall limit per kind when a class has no history at all. */
        priorStallSeconds: kindNumbers.default({ 'llm-agent': 600, build: 300, test: 300, other: 300 }),
        /**
         * Smallest quiet limit per kind (time with nothing new: no new output or agent work, whatever the
         * CPU, I/O, repeated output or keep-alives): a busy or output loop looks alive to the stall limit.
         */
        quietFloorSeconds: kindNumbers.default({ 'llm-agent': 1800, build: 900, test: 900, other: 600 }),
        /** Soft escalation at the max limit for a task that is still progressing. */
        extensionTimes: z.number().int().min(0).max(5).default(2),
        extensionFraction: z.number().gt(0).max(2).default(0.25),
        /**
         * Share of a class's recent runs that may be cut off by the max (or stall) limit and still be
         * presumed hangs rather than proof that the class got slower, or more silent (0 = every cut-off
         * loosens its limit).
         */
        presumedHangRate: z.number().min(0).max(0.5).default(0.05),
        /**
         * Runs cut off by a limit lift it to at most this many times the lowest limit they met within the
         * window; only finished runs lift it further. Bounds what repeated hangs can do to a limit.
         */
        cutOffGrowth: z.number().min(1).max(10).default(2),
      })
      .strict()
      .default({
        alpha: 0.01,
        safetyFactor: 1.5,
        minSamples: 20,
        window: 100,
        floorSeconds: 10,
        capSeconds: 4 * 3600,
        stallFloorSeconds: { 'llm-agent': 300, build: 120, test: 120, other: 60 },
        priorMaxSeconds: { 'llm-agent': 1800, build: 1800, test: 1200, other: 900 },
        priorStallSeconds: { 'llm-agent': 600, build: 300, test: 300, other: 300 },
        quietFloorSeconds: { 'llm-agent': 1800, build: 900, test: 900, other: 600 },
        extensionTimes: 2,
        extensionFraction: 0.25,
        presumedHangRate: 0.05,
        cutOffGrowth: 2,
      }),
    progress: z
      .object({
        /** Repeated output (same line, spinner, redraws) counts for at most this long after real progress. */
        repeatSeconds: z
          .number()
          .min(0, 'must be between 0 and 3600 seconds')
          .max(3600, 'must be between 0 and 3600 seconds')
          .default(30),
        /** Agent keep-alives and an open tool call count for at most this long after real progress. */
        keepAliveSeconds: z
          .number()
          .min(0, 'must be between 0 and 86400 seconds')
          .max(86_400, 'must be between 0 and 86400 seconds')
          .default(300),
        /** CPU and I/O are judged over this sliding window. */
        windowSeconds: z
          .number()
          .min(1, 'must be between 1 and 600 seconds')
          .max(600, 'must be between 1 and 600 seconds')
          .default(5),
        /** CPU below this share of one core over the window is not progress. */
        minCpuPercent: z
          .number()
          .min(0.1, 'must be between 0.1 and 100 (% of one core)')
          .max(100, 'must be between 0.1 and 100 (% of one core)')
          .default(5),
        /** I/O below this rate over the window (beyond small calls) is not progress. */
        minIoBytesPerSecond: z
          .number()
          .min(1, 'must be between 1 and 1000000000 bytes per second')
          .max(1e9, 'must be between 1 and 1000000000 bytes per second')
          .default(128),
      })
      .strict()
      .default({
        repeatSeconds: 30,
        keepAliveSeconds: 300,
        windowSeconds: 5,
        minCpuPercent: 5,
        minIoBytesPerSecond: 128,
      }),
    classifier: z
      .object({ rules: z.array(classifierRule).default([]) })
      .strict()
      .default({ rules: [] }),
    output: z
      .object({
        /** Bytes of the start and of the end of each task's output kept in memory and in reports. */
        headBytes: z
          .number()
          .int()
          .min(0)
          .max(16 * 1024 * 1024)
          .default(8 * 1024),
        tailBytes: z
          .number()
          .int()
          .min(256)
          .max(16 * 1024 * 1024)
          .default(32 * 1024),
      })
      .strict()
      .default({ headBytes: 8 * 1024, tailBytes: 32 * 1024 }),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type TaskKind = keyof Config['predictor']['stallFloorSeconds'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The environment variables cc-stress reads; nothing else is read from the environment. */
export interface EnvSettings {
  configPath?: string;
  redisUrl?: string;
  historyPath?: string;
  ci: boolean;
  noColor: boolean;
  github: GitHubSettings;
}

export interface GitHubSettings {
  /** GITHUB_ACTIONS=true: the `auto` reporter adds GitHub annotations and the job summary. */
  actions: boolean;
  /** GITHUB_STEP_SUMMARY: the file the job summary is appended to. */
  stepSummary?: string;
  /** GITHUB_WORKSPACE: annotation paths are relative to it. */
  workspace?: string;
}

/** Redis's highest database index with its default `databases 16`; servers may allow more, rarely do. */
const MAX_REDIS_DB = 15;

function checkRedisUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `${where}: "${value}" is not a URL; expected redis://[user:password@]host[:port][/db]`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`${where}: "${value}" must start with redis:// or rediss://`);
  }
  if (url.hostname === '') {
    throw new ConfigError(`${where}: "${value}" names no host; expected redis://host[:port]`);
  }
  // ioredis reads the path as a database number without checking it: `/abc` crashed on `select NaN` and
  // `/99999` fell back to database 0 without a word.
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !(/^\d{1,5}$/.test(db) && Number(db) <= MAX_REDIS_DB)) {
    throw new ConfigError(
      `${where}: "/${db}" is not a database number; expected redis://[user:password@]host[:port][/db] with db 0..${MAX_REDIS_DB}`,
    );
  }
  if (url.port !== '' && Number(url.port) === 0) {
    throw new ConfigError(`${where}: port 0 is not a port; expected 1..65535`);
  }
  return value;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvSettings {
  const nonEmpty = (name: string): string | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    if (value.trim() === '') throw new ConfigError(`${name} is set but empty; unset it or give a value`);
    return value;
  };
  const redisUrl = nonEmpty('CC_STRESS_REDIS_URL');
  return {
    configPath: nonEmpty('CC_STRESS_CONFIG'),
    redisUrl: redisUrl === undefined ? undefined : checkRedisUrl(redisUrl, 'CC_STRESS_REDIS_URL'),
    historyPath: nonEmpty('CC_STRESS_HISTORY'),
    ci: env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false',
    noColor: env.NO_COLOR !== undefined && env.NO_COLOR !== '',
    github: {
      actions: env.GITHUB_ACTIONS === 'true',
      ...(env.GITHUB_STEP_SUMMARY ? { stepSummary: env.GITHUB_STEP_SUMMARY } : {}),
      ...(env.GITHUB_WORKSPACE ? { workspace: env.GITHUB_WORKSPACE } : {}),
    },
  };
}

/** Beyond this many problems in one config file the rest are counted, not listed. */
const MAX_CONFIG_ERRORS = 20;

interface ConfigProblem {
  path: readonly (string | number)[];
  /** An unknown key: the message names its section, the place is the key itself. */
  unknownKey?: string;
  reason: string;
}

/** Where a path of the document was written, for `file:line:column` in messages. */
type Ranged = { range?: readonly [number, number, number] | null } | null | undefined;

function locator(doc: Document.Parsed, lineCounter: LineCounter) {
  return (path: readonly (string | number)[], atKey = false): { line: number; column: number } => {
    let node: unknown = doc.contents;
    let found = node as Ranged;
    for (const [i, segment] of path.entries()) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        next =
          pair === undefined
            ? undefined
            : atKey && i === path.length - 1
              ? pair.key
              : (pair.value ?? pair.key);
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (next === undefined || next === null) break;
      node = next;
      found = next as Ranged;
    }
    const offset = found?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === undefined) return '';
  const text =
    typeof value === 'object' && value !== null
      ? Array.isArray(value)
        ? 'a list'
        : 'a mapping'
      : JSON.stringify(value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function issueProblem(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    return { path, unknownKey: issue.keys[0]!, reason: `unknown key "${issue.keys[0]}"` };
  }
  return { path, reason: `${issue.message}${shown(valueAt(raw, path))}` };
}

/**
 * Parses and validates config text (YAML); `source` names the file in messages. Every problem is
 * reported at once, one line each: `file:line:column: key: what is wrong (got value)`.
 */
export function parseConfig(text: string, source: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw configErrors(doc.errors.map((error) => `${at(error.pos[0])}: ${error.message.split('\n')[0]}`));
  }
  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (error) {
    // Aliases that point nowhere or expand too far (a resource exhaustion attack) only fail here.
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
  const locate = locator(doc, lineCounter);
  const place = (problem: ConfigProblem): { line: number; column: number } =>
    problem.unknownKey === undefined
      ? locate(problem.path)
      : locate([...problem.path, problem.unknownKey], true);
  const render = (problems: ConfigProblem[]): string[] =>
    problems
      .map((problem) => ({ problem, at: place(problem) }))
      .sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column)
      .map(({ problem, at }) => {
        const key = problem.path.length > 0 ? problem.path.join('.') : '(top level)';
        return `${source}:${at.line}:${at.column}: ${key}: ${problem.reason}`;
      });
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success)
    throw configErrors(render(parsed.error.issues.map((issue) => issueProblem(issue, raw))));

  const config = parsed.data;
  const problems: ConfigProblem[] = [];
  if (config.predictor.floorSeconds > config.predictor.capSeconds) {
    problems.push({
      path: ['predictor', 'floorSeconds'],
      reason: `must not exceed predictor.capSeconds (${config.predictor.capSeconds})${shown(config.predictor.floorSeconds)}`,
    });
  }
  for (const [i, rule] of config.classifier.rules.entries()) {
    const problem = patternProblem(rule.match);
    if (problem !== null) {
      problems.push({
        path: ['classifier', 'rules', i, 'match'],
        reason: `not a valid regular expression (${problem})${shown(rule.match)}`,
      });
    }
  }
  if (config.history.redisUrl !== undefined) {
    try {
      checkRedisUrl(config.history.redisUrl, 'history.redisUrl');
    } catch (error) {
      problems.push({
        path: ['history', 'redisUrl'],
        reason: (error as Error).message.replace(/^history\.redisUrl: /, ''),
      });
    }
  }
  if (problems.length > 0) throw configErrors(render(problems));
  return config;
}

function configErrors(lines: string[]): ConfigError {
  const shownLines = lines.slice(0, MAX_CONFIG_ERRORS);
  const hidden = lines.length - shownLines.length;
  return new ConfigError(
    [...shownLines, ...(hidden > 0 ? [`(${hidden} more problems not shown)`] : [])].join('\n'),
  );
}

export function defaultHistoryPath(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'cc-stress', 'history.db');
}

export interface LoadedConfig {
  config: Config;
  env: EnvSettings;
  /** The SQLite path and Redis URL after environment overrides. */
  historyPath: string;
  /** True for the default location in the user's cache, the only one whose folder cc-stress creates. */
  historyPathIsDefault: boolean;
  redisUrl?: string;
}

/** Reads the environment and the config file (CC_STRESS_CONFIG or an explicit path) and validates both. */
export function loadConfig(options: { configPath?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = readEnv(options.env);
  const path = options.configPath ?? env.configPath;
  let config: Config;
  if (path === undefined) {
    config = configSchema.parse({});
  } else {
    let text: string;
    try {
      text = readFileSync(resolve(path), 'utf8');
    } catch (error) {
      const where = options.configPath === undefined ? `CC_STRESS_CONFIG (${path})` : path;
      throw new ConfigError(
        `${where}: cannot read the config file: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
    config = parseConfig(text, path);
  }
  return {
    config,
    env,
    historyPath: env.historyPath ?? config.history.path ?? defaultHistoryPath(),
    historyPathIsDefault: (env.historyPath ?? config.history.path) === undefined,
    redisUrl: env.redisUrl ?? config.history.redisUrl,
  };
}
