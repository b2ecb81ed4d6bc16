import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { detectAgent } from '../command/model.js';
import { parseCommand } from './command.js';
import { type FieldPath, formatPath, SuiteError, SuiteErrors } from './errors.js';
import { buildExpectations, type Expander } from './expect.js';
import type { YamlSource } from './load.js';
import { combinationCount, combinationId, combinations, repeatId } from './matrix.js';
import type { RawDefaults, RawSuite, RawTask, RawTimeout } from './schema.js';
import type { AgentKind, Expectations, FixedLimits, Suite, TaskSpec } from './types.js';
import { interpolate, type Lookup } from './variables.js';

// Names end up in one-line progress output and reports; a variable must not smuggle in a line break.
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

/** More tasks than this is almost certainly a matrix or repeat typo, and would exhaust memory. */
export const MAX_TASKS = 100_000;

export interface ExpandOptions {
  /** Where `${NAME}` looks last. */
  env: NodeJS.ProcessEnv;
  /** Multiplies every task's repeat (the CLI's --repeat). */
  repeat: number;
  /** Absolute path of the suite file; relative cwd values resolve against its folder. */
  absoluteFile: string;
  baseDir: string;
  /** Check that every task's cwd exists (loading a file does; expanding text in memory need not). */
  checkFolders?: boolean;
}

/** Applies defaults, variables, matrix and repeat to a validated suite, giving one TaskSpec per run. */
export function expandSuite(raw: RawSuite, source: YamlSource, options: ExpandOptions): Suite {
  const fail = (path: FieldPath, reason: string, target: 'value' | 'key' = 'value'): never => {
    throw source.error(path, formatPath(path), reason, target);
  };
  const expandWith =
    (lookup: Lookup): Expander =>
    (path, text) => {
      const result = interpolate(text, lookup);
      if (result.ok) return result.value;
      const { line, column } = source.locateText(path, result.needle);
      throw new SuiteError({
        file: source.file,
        line,
        column,
        field: formatPath(path),
        reason: result.reason,
      });
    };

  // Problems are collected per var and per task, so one run shows them all.
  const problems: SuiteError[] = [];
  const collect = (step: () => void): void => {
    try {
      step();
    } catch (error) {
      if (!(error instanceof SuiteError)) throw error;
      problems.push(...(error instanceof SuiteErrors ? error.problems : [error]));
    }
  };

  const fromEnv: Lookup = (name) => (Object.hasOwn(options.env, name) ? options.env[name] : undefined);
  const varNames = new Set(Object.keys(raw.vars ?? {}));
  const vars = new Map<string, string>();
  for (const [name, value] of Object.entries(raw.vars ?? {})) {
    collect(() => {
      if (typeof value !== 'string') {
        vars.set(name, String(value));
        return;
      }
      // Vars may draw on the environment (`model: ${MODEL:-sonnet}`) but not on each other: no ordering
      // puzzles, no cycles. Say so rather than calling a var that is right there "undefined".
      const other = [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)]
        .map((match) => match[1]!)
        .find((ref) => varNames.has(ref) && !Object.hasOwn(options.env, ref));
      if (other !== undefined) {
        const { line, column } = source.locateText(['vars', name], `\${${other}`);
        throw new SuiteError({
          file: source.file,
          line,
          column,
          field: formatPath(['vars', name]),
          reason: `refers to the var "${other}"; vars take values from the environment only, not from each other (write the value out, or use a matrix)`,
        });
      }
      vars.set(name, expandWith(fromEnv)(['vars', name], value));
    });
  }

  const defaults: RawDefaults = raw.defaults ?? {};
  const before = problems.length;
  collect(() => checkLimits(defaults.timeout, {}, ['defaults', 'timeout'], fail));
  // Bad default limits are reported once, not again for every task that inherits them.
  const inheritedLimits = problems.length === before ? (defaults.timeout ?? {}) : {};
  collect(() => checkUniqueIds(raw.tasks, source, fail));

  const tasks: TaskSpec[] = [];
  raw.tasks.forEach((task, t) => {
    collect(() => {
      const path: FieldPath = ['tasks', t];
      const repeat = (task.repeat ?? 1) * options.repeat;
      const count = combinationCount(task.matrix) * repeat;
      if (tasks.length + count > MAX_TASKS) {
        const withOption = options.repeat > 1 ? ` (with --repeat ${options.repeat})` : '';
        fail(
          path,
          `expands to ${count} runs${withOption}, more than the ${MAX_TASKS} allowed per suite; reduce matrix or repeat`,
        );
      }
      checkDistinctMatrixValues(task, path, fail);
      const timeout = checkLimits(task.timeout, inheritedLimits, [...path, 'timeout'], fail);
      const words = commandWords(task, defaults, path, fail);
      const line = source.locate(path).line;

      for (const combination of combinations(task.matrix)) {
        const values = new Map(combination);
        const expand = expandWith((name) => values.get(name) ?? vars.get(name) ?? fromEnv(name));
        const run = buildRun(task, defaults, path, words, expand, fail, options);
        for (let index = 1; index <= repeat; index += 1) {
          const id = repeatId(combinationId(task.id, combination), index, repeat);
          tasks.push({
            id,
            baseId: task.id,
            name: run.name ?? id,
            argv: [...run.argv],
            shell: run.shell,
            cwd: run.cwd,
            env: { ...run.env },
            ...(run.category === undefined ? {} : { category: run.category }),
            ...(run.complexity === undefined ? {} : { complexity: run.complexity }),
            agent: run.agent,
            retries: task.retries ?? defaults.retries ?? 0,
            timeout: { ...timeout },
            expect: copyExpectations(run.expect),
            repeatIndex: index,
            source: { file: source.file, line },
          });
        }
      }
    });
  });
  if (problems.length > 0) throw SuiteErrors.of(problems);

  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) {
      const t = raw.tasks.findIndex((written) => written.id === task.baseId);
      fail(['tasks', t, 'matrix'], `gives the id "${task.id}" twice; make the matrix values distinct`);
    }
    seen.add(task.id);
  }

  return {
    name: raw.name,
    ...(raw.description === undefined ? {} : { description: raw.description }),
    file: options.absoluteFile,
    history: raw.history ?? 'shared',
    defaults: {
      concurrency: defaults.concurrency ?? 4,
      retries: defaults.retries ?? 0,
      target: defaults.target ?? 0.9,
    },
    tasks,
  };
}

type Fail = (path: FieldPath, reason: string, target?: 'value' | 'key') => never;

/** Part of an argument as written: final text, or a template to expand (and split into fields, if unquoted). */
type Piece = { text: string } | { template: string; split: boolean };

/** The command as written, parsed once per task; variables are expanded per matrix combination. */
interface CommandWords {
  words: Piece[][];
  /** Where each word was written, for messages. */
  paths: FieldPath[];
  shell: boolean;
}

function commandWords(task: RawTask, defaults: RawDefaults, path: FieldPath, fail: Fail): CommandWords {
  const at: FieldPath = [...path, 'command'];
  const whole = (template: string): Piece[] => [{ template, split: false }];
  if (Array.isArray(task.command)) {
    // A list is already argv; defaults.shell only applies to command strings.
    if (task.shell === true) {
      fail(
        [...path, 'shell'],
        'must not be true for an argv list, which runs without a shell; give a string instead',
      );
    }
    return { words: task.command.map(whole), paths: task.command.map((_, i) => [...at, i]), shell: false };
  }
  const command = task.command;
  if (task.shell ?? defaults.shell ?? false) {
    if (command.trim() === '') fail(at, 'is empty; give a command line');
    return { words: [whole(command)], paths: [at], shell: true };
  }
  const parsed = parseCommand(command);
  if (!parsed.ok) return fail(at, parsed.reason);
  const words = parsed.words.map((word) =>
    word.map((part): Piece => ('text' in part ? part : { template: part.reference, split: !part.quoted })),
  );
  return { words, paths: words.map(() => at), shell: false };
}

const FIELD_SEPARATOR = /[ \t\n]+/;

/**
 * The arguments one written word becomes: one, except that an unquoted reference is split on whitespace
 * as sh does (`${FLAGS}` with "-a -b" gives two arguments, an empty `${EXTRA:-}` alone gives none).
 */
function expandWord(word: Piece[], path: FieldPath, expand: Expander): string[] {
  const fields: string[] = [];
  let current: string | undefined;
  for (const piece of word) {
    if ('text' in piece) {
      current = (current ?? '') + piece.text;
      continue;
    }
    const value = expand(path, piece.template);
    if (!piece.split) {
      current = (current ?? '') + value;
      continue;
    }
    const pieces = value.split(FIELD_SEPARATOR);
    pieces.forEach((field, k) => {
      if (k > 0 && current !== undefined) {
        fields.push(current);
        current = undefined;
      }
      if (field !== '') current = (current ?? '') + field;
    });
  }
  if (current !== undefined) fields.push(current);
  return fields;
}

interface Run {
  name: string | undefined;
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  category: string | undefined;
  complexity: string | undefined;
  agent: AgentKind;
  expect: Expectations;
}

/** Everything about one matrix combination of a task that variables can change. */
function buildRun(
  task: RawTask,
  defaults: RawDefaults,
  path: FieldPath,
  command: CommandWords,
  expand: Expander,
  fail: Fail,
  options: Pick<ExpandOptions, 'baseDir' | 'checkFolders'>,
): Run {
  const { baseDir } = options;
  const fields = command.words.map((word, i) => expandWord(word, command.paths[i]!, expand));
  const argv = fields.flat();
  // The program is the first word as written; a later argument never silently takes its place.
  if (fields[0]!.length === 0 || argv[0]!.trim() === '') {
    const what = command.shell ? 'the command line' : 'the program name';
    fail(command.paths[0]!, `${what} is empty once variables are expanded`);
  }

  // Merged before expansion, so a default the task overrides is never expanded (nor can it fail).
  const written = new Map<string, { value: string | number | boolean; at: FieldPath }>();
  for (const [origin, values] of [
    [['defaults', 'env'], defaults.env],
    [[...path, 'env'], task.env],
  ] as const) {
    for (const [name, value] of Object.entries(values ?? {}))
      written.set(name, { value, at: [...origin, name] });
  }
  const env: Record<string, string> = {};
  for (const [name, { value, at }] of written) {
    env[name] = typeof value === 'string' ? expand(at, value) : String(value);
  }

  const cwdPath: FieldPath = task.cwd !== undefined ? [...path, 'cwd'] : ['defaults', 'cwd'];
  const cwdText = task.cwd ?? defaults.cwd;
  const cwd = cwdText === undefined ? baseDir : resolve(baseDir, expand(cwdPath, cwdText));
  if (options.checkFolders === true && cwdText !== undefined && !isFolder(cwd)) {
    // Found at load time, so `--list` and a dry look at the suite catch it, not the first task start.
    fail(cwdPath, `the folder ${cwd} does not exist (relative paths start at the suite file's folder)`);
  }

  const optional = (key: 'name' | 'category' | 'complexity'): string | undefined => {
    const value = task[key];
    if (value === undefined) return undefined;
    const expanded = expand([...path, key], value);
    if (!SINGLE_LINE.test(expanded))
      fail([...path, key], 'must be a single line once variables are expanded');
    return expanded;
  };

  const agentSetting = task.agent ?? defaults.agent ?? 'auto';
  const agent = agentSetting !== 'auto' ? agentSetting : detectAgent(argv, command.shell);

  return {
    name: optional('name'),
    argv,
    shell: command.shell,
    cwd,
    env,
    category: optional('category'),
    complexity: optional('complexity'),
    agent,
    expect: buildExpectations(task.expect, [...path, 'expect'], expand, fail),
  };
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Merges fixed limits field by field (the task wins) and refuses a stall limit above the max limit. */
function checkLimits(
  own: RawTimeout | undefined,
  inherited: RawTimeout,
  path: FieldPath,
  fail: Fail,
): FixedLimits {
  const max = own?.max ?? inherited.max;
  const stall = own?.stall ?? inherited.stall;
  if (max !== undefined && stall !== undefined && stall > max) {
    const stallFrom = own?.stall !== undefined ? '' : ' (from defaults.timeout)';
    const maxFrom = own?.max !== undefined ? '' : ' (from defaults.timeout)';
    const at = own?.stall !== undefined ? [...path, 'stall'] : [...path, 'max'];
    fail(at, `stall ${stall}${stallFrom} must not exceed max ${max}${maxFrom}`);
  }
  return { ...(max === undefined ? {} : { max }), ...(stall === undefined ? {} : { stall }) };
}

function checkUniqueIds(tasks: readonly RawTask[], source: YamlSource, fail: Fail): void {
  const first = new Map<string, number>();
  tasks.forEach((task, t) => {
    const earlier = first.get(task.id);
    if (earlier !== undefined) {
      const line = source.locate(['tasks', earlier, 'id']).line;
      fail(['tasks', t, 'id'], `duplicate id "${task.id}" (first used on line ${line}); ids must be unique`);
    }
    first.set(task.id, t);
  });
}

function checkDistinctMatrixValues(task: RawTask, path: FieldPath, fail: Fail): void {
  for (const [key, values] of Object.entries(task.matrix ?? {})) {
    const seen = new Set<string>();
    values.forEach((value, i) => {
      const text = String(value);
      if (seen.has(text))
        fail([...path, 'matrix', key, i], `repeats the value "${text}"; matrix values must be distinct`);
      seen.add(text);
    });
  }
}

function copyExpectations(expect: Expectations): Expectations {
  const stream = (s: Expectations['stdout']) => ({
    contains: [...s.contains],
    notContains: [...s.notContains],
    matches: [...s.matches],
  });
  return {
    exitCode: [...expect.exitCode],
    stdout: stream(expect.stdout),
    stderr: stream(expect.stderr),
    minOutputBytes: expect.minOutputBytes,
    result: expect.result === null ? null : structuredClone(expect.result),
  };
}
