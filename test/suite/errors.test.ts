// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { describe, expect, it } from 'vitest';
import { formatPath, SuiteError } from '../../src/suite/errors.js';
import { parseSuite } from '../../src/suite/index.js';

const FILE = 'suites/x.yaml';

/** A suite whose first task is given; other lines may follow. */
function suite(...lines: string[]): string {
  return ['name: demo', 'tasks:', ...lines].join('\n');
}

function errorOf(text: string, env: NodeJS.ProcessEnv = {}): SuiteError {
  try {
    parseSuite(text, FILE, { env });
  } catch (error) {
    if (error instanceof SuiteError) return error;
    throw error;
  }
  throw new Error('expected a SuiteError');
}

describe('suite errors name the file, line, column and field, and say what is allowed', () => {
  it.each([
    // YAML syntax
    ['bad YAML', 'name: x\ntasks: [a, b\n', 3, 1, undefined, 'invalid YAML'],
    ['duplicate YAML key', 'name: x\nname: y\n', 2, 1, undefined, 'invalid YAML: Map keys must be unique'],
    ['unknown tag', 'name: !!weird x\n', 1, 7, undefined, 'invalid YAML: Unresolved tag'],
    ['two documents', 'name: x\n---\nname: y\n', 2, 1, undefined, 'invalid YAML'],
    // shape
    [
      'empty file',
      '',
      1,
      1,
      '(top level)',
      'must be a mapping (a suite with name and tasks) (got an empty value)',
    ],
    ['list at top', '- a\n', 1, 1, '(top level)', 'must be a mapping'],
    ['missing name', 'tasks:\n  - id: a\n    command: x\n', 1, 1, 'name', 'missing; must be the suite name'],
    ['missing tasks', 'name: x\n', 1, 1, 'tasks', 'missing; must be a non-empty list of tasks'],
    [
      'empty tasks',
      'name: x\ntasks: []\n',
      2,
      8,
      'tasks',
      'must be a non-empty list of tasks (got an empty list)',
    ],
    [
      'task not a mapping',
      suite('  - just a string'),
      3,
      5,
      'tasks[0]',
      'must be a mapping (a task with id and command) (got "just a string")',
    ],
    // unknown keys, everywhere
    [
      'unknown top key',
      'name: x\ntask: []\ntasks:\n  - id: a\n    command: x\n',
      2,
      1,
      'task',
      'unknown key "task"; allowed: name, description, vars, defaults, history, tasks',
    ],
    [
      'unknown task key',
      suite('  - id: a', '    command: x', '    timeout_s: 5'),
      5,
      5,
      'tasks[0].timeout_s',
      'unknown key "timeout_s"; allowed: id, name, command, shell,',
    ],
    [
      'unknown timeout key',
      suite('  - id: a', '    command: x', '    timeout: { max: 5, stal: 1 }'),
      5,
      24,
      'tasks[0].timeout.stal',
      'unknown key "stal"; allowed: max, stall',
    ],
    [
      'unknown defaults key',
      'name: x\ndefaults:\n  parallel: 3\ntasks:\n  - id: a\n    command: x\n',
      3,
      3,
      'defaults.parallel',
      'allowed: concurrency, retries, target, env, cwd, shell, agent, timeout',
    ],
    [
      'unknown expect key',
      suite('  - id: a', '    command: x', '    expect:', '      exitcode: 0'),
      6,
      7,
      'tasks[0].expect.exitcode',
      'allowed: exit_code, stdout, stderr, min_output_bytes, result',
    ],
    [
      'unknown stream key',
      suite('  - id: a', '    command: x', '    expect:', '      stdout: { includes: x }'),
      6,
      17,
      'tasks[0].expect.stdout.includes',
      'allowed: contains, not_contains, matches',
    ],
    [
      '__proto__ key',
      suite('  - id: a', '    command: x', '    env: { __proto__: 1 }'),
      5,
      12,
      'tasks[0].env.__proto__',
      'this key is not allowed',
    ],
    // wrong types
    [
      'stall not a number',
      suite('  - id: a', '    command: x', '    timeout:', '      stall: abc'),
      6,
      14,
      'tasks[0].timeout.stall',
      'must be a positive number of seconds (got "abc")',
    ],
    [
      'max zero',
      suite('  - id: a', '    command: x', '    timeout: { max: 0 }'),
      5,
      21,
      'tasks[0].timeout.max',
      'must be a positive number of seconds (got 0)',
    ],
    [
      'max too long',
      suite('  - id: a', '    command: x', '    timeout: { max: 1e9 }'),
      5,
      21,
      'tasks[0].timeout.max',
      'must be at most 604800 seconds',
    ],
    [
      'command a number',
      suite('  - id: a', '    command: 42'),
      4,
      14,
      'tasks[0].command',
      'must be a command string or an argv list of strings (got 42)',
    ],
    [
      'argv element not a string',
      suite('  - id: a', '    command: [echo, [x]]'),
      4,
      21,
      'tasks[0].command[1]',
      'must be a string (got a list of 1)',
    ],
    [
      'empty argv',
      suite('  - id: a', '    command: []'),
      4,
      14,
      'tasks[0].command',
      'must be a non-empty argv list',
    ],
    [
      'missing command',
      suite('  - id: a'),
      3,
      5,
      'tasks[0].command',
      'missing; must be a command string or an argv list',
    ],
    [
      'shell not a bool',
      suite('  - id: a', '    command: x', '    shell: yes'),
      5,
      12,
      'tasks[0].shell',
      'must be true or false (got "yes")',
    ],
    [
      'bad agent',
      suite('  - id: a', '    command: x', '    agent: gpt'),
      5,
      12,
      'tasks[0].agent',
      'must be one of claude, codex, gemini, none, auto (got "gpt")',
    ],
    [
      'env not a mapping',
      suite('  - id: a', '    command: x', '    env: [A]'),
      5,
      10,
      'tasks[0].env',
      'must be a mapping of NAME: value (got a list of 1)',
    ],
    [
      'bad env name',
      suite('  - id: a', '    command: x', '    env: { 1A: x }'),
      5,
      12,
      'tasks[0].env["1A"]',
      'must be an environment variable name',
    ],
    [
      'exit code list entry',
      suite('  - id: a', '    command: x', '    expect: { exit_code: [0, -1] }'),
      5,
      30,
      'tasks[0].expect.exit_code[1]',
      'must be an integer from 0 to 255 (got -1)',
    ],
    [
      'result not a mapping',
      suite('  - id: a', '    command: x', '    expect: { result: ok }'),
      5,
      23,
      'tasks[0].expect.result',
      'must be a mapping of field: expected value (got "ok")',
    ],
    [
      'matrix not lists',
      suite('  - id: a', '    command: x', '    matrix: { model: sonnet }'),
      5,
      22,
      'tasks[0].matrix.model',
      'must be a non-empty list of values (got "sonnet")',
    ],
    [
      'matrix value with newline',
      suite('  - id: a', '    command: x', '    matrix: { m: ["a\\nb"] }'),
      5,
      19,
      'tasks[0].matrix.m[0]',
      'must be a matrix value: a single line',
    ],
    [
      'bad var name',
      'name: x\nvars: { my-var: 1 }\ntasks:\n  - id: a\n    command: x\n',
      2,
      9,
      'vars["my-var"]',
      'must be a variable name',
    ],
    // ranges
    [
      'retries too high',
      suite('  - id: a', '    command: x', '    retries: 11'),
      5,
      14,
      'tasks[0].retries',
      'must be an integer from 0 to 10 (got 11)',
    ],
    [
      'repeat fraction',
      suite('  - id: a', '    command: x', '    repeat: 1.5'),
      5,
      13,
      'tasks[0].repeat',
      'must be an integer from 1 to 10000 (got 1.5)',
    ],
    [
      'concurrency zero',
      'name: x\ndefaults: { concurrency: 0 }\ntasks:\n  - id: a\n    command: x\n',
      2,
      26,
      'defaults.concurrency',
      'must be an integer from 1 to 1000 (got 0)',
    ],
    [
      'target above 1',
      'name: x\ndefaults: { target: 90 }\ntasks:\n  - id: a\n    command: x\n',
      2,
      21,
      'defaults.target',
      'must be a number from 0 to 1 (got 90)',
    ],
    [
      'stall above max',
      suite('  - id: a', '    command: x', '    timeout: { max: 10, stall: 20 }'),
      5,
      32,
      'tasks[0].timeout.stall',
      'stall 20 must not exceed max 10',
    ],
    [
      'stall above inherited max',
      'name: x\ndefaults: { timeout: { max: 10 } }\ntasks:\n  - id: a\n    command: x\n    timeout: { stall: 20 }\n',
      6,
      23,
      'tasks[0].timeout.stall',
      'stall 20 must not exceed max 10 (from defaults.timeout)',
    ],
    [
      'defaults stall above max',
      'name: x\ndefaults: { timeout: { max: 1, stall: 2 } }\ntasks:\n  - id: a\n    command: x\n',
      2,
      39,
      'defaults.timeout.stall',
      'stall 2 must not exceed max 1',
    ],
    // ids
    [
      'path traversal id',
      suite('  - id: ../etc', '    command: x'),
      3,
      9,
      'tasks[0].id',
      'must be 1 to 100 characters of A-Z a-z 0-9 . _ -',
    ],
    ['dot-dot id', suite('  - id: ..', '    command: x'), 3, 9, 'tasks[0].id', 'not starting with . or -'],
    ['id with newline', suite('  - id: "a\\nb"', '    command: x'), 3, 9, 'tasks[0].id', '(got "a\\nb")'],
    [
      'id too long',
      suite(`  - id: ${'a'.repeat(101)}`, '    command: x'),
      3,
      9,
      'tasks[0].id',
      'must be 1 to 100 characters',
    ],
    ['missing id', suite('  - command: x'), 3, 5, 'tasks[0].id', 'missing; must be 1 to 100 characters'],
    [
      'duplicate id',
      suite('  - id: a', '    command: x', '  - id: b', '    command: x', '  - id: a', '    command: y'),
      7,
      9,
      'tasks[2].id',
      'duplicate id "a" (first used on line 3)',
    ],
    // commands
    [
      'pipe without shell',
      suite('  - id: a', '    command: cat x | wc -l'),
      4,
      14,
      'tasks[0].command',
      'contains the shell operator "|", which needs a shell; set shell: true or give the command as an argv list',
    ],
    [
      'unterminated quote',
      suite('  - id: a', '    command: claude -p "hi'),
      4,
      14,
      'tasks[0].command',
      'has an unterminated double quote',
    ],
    [
      'shell true with argv list',
      suite('  - id: a', '    command: [ls, -l]', '    shell: true'),
      5,
      12,
      'tasks[0].shell',
      'must not be true for an argv list',
    ],
    [
      'empty shell line',
      suite('  - id: a', '    command: "  "', '    shell: true'),
      4,
      14,
      'tasks[0].command',
      'is empty',
    ],
    // variables
    [
      'undefined variable',
      suite('  - id: a', '    command: claude -p ${PROMPT}'),
      4,
      24,
      'tasks[0].command',
      'undefined variable "PROMPT"; define it in vars, in the matrix or in the environment',
    ],
    [
      'undefined variable in argv list',
      suite('  - id: a', '    command: [claude, -p, "${PROMPT}"]'),
      4,
      28,
      'tasks[0].command[2]',
      'undefined variable "PROMPT"',
    ],
    [
      'undefined variable in env',
      suite('  - id: a', '    command: x', '    env:', '      TOKEN: "Bearer ${SECRET}"'),
      6,
      22,
      'tasks[0].env.TOKEN',
      'undefined variable "SECRET"',
    ],
    [
      'undefined variable in defaults env',
      'name: x\ndefaults:\n  env: { A: "${NOPE}" }\ntasks:\n  - id: a\n    command: x\n',
      3,
      14,
      'defaults.env.A',
      'undefined variable "NOPE"',
    ],
    [
      'undefined variable in vars',
      'name: x\nvars:\n  model: ${MODEL}\ntasks:\n  - id: a\n    command: x\n',
      3,
      10,
      'vars.model',
      'undefined variable "MODEL"',
    ],
    [
      'undefined variable in cwd',
      suite('  - id: a', '    command: x', '    cwd: ${WORK}/repo'),
      5,
      10,
      'tasks[0].cwd',
      'undefined variable "WORK"',
    ],
    [
      'undefined variable in name',
      suite('  - id: a', '    command: x', '    name: run ${N}'),
      5,
      15,
      'tasks[0].name',
      'undefined variable "N"',
    ],
    [
      'undefined variable in expect',
      suite('  - id: a', '    command: x', '    expect:', '      stdout: { contains: [ok, "${WORD}"] }'),
      6,
      33,
      'tasks[0].expect.stdout.contains[1]',
      'undefined variable "WORD"',
    ],
    [
      'broken reference',
      suite('  - id: a', '    command: echo ${A'),
      4,
      14,
      'tasks[0].command',
      'has a "${" without its closing "}"',
    ],
    [
      'broken reference in a list',
      suite('  - id: a', '    command: [echo, "${A"]'),
      4,
      22,
      'tasks[0].command[1]',
      'has no closing "}"',
    ],
    // expectations
    [
      'bad regex',
      suite('  - id: a', '    command: x', '    expect:', '      stderr: { matches: "(unclosed" }'),
      6,
      26,
      'tasks[0].expect.stderr.matches',
      'is not a valid regular expression',
    ],
    [
      'bad regex in list',
      suite('  - id: a', '    command: x', '    expect: { stdout: { matches: [ok, "[z-a]"] } }'),
      5,
      39,
      'tasks[0].expect.stdout.matches[1]',
      'is not a valid regular expression',
    ],
    // matrix
    [
      'duplicate matrix value',
      suite('  - id: a', '    command: x', '    matrix: { n: [1, 2, "1"] }'),
      5,
      25,
      'tasks[0].matrix.n[2]',
      'repeats the value "1"',
    ],
    [
      'too many runs',
      suite(
        '  - id: a',
        '    command: x',
        '    matrix: { a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }',
        '    repeat: 10000',
      ),
      3,
      5,
      'tasks[0]',
      'expands to 110000 runs, more than the 100000 allowed',
    ],
  ] as const)('%s', (_, text, line, column, field, reason) => {
    const error = errorOf(text);
    expect(error.file).toBe(FILE);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.field).toBe(field);
    expect(error.message).toContain(reason);
    const prefix =
      field === undefined ? `${FILE}:${line}:${column}: ` : `${FILE}:${line}:${column}: ${field}: `;
    expect(error.message.startsWith(prefix)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('reports the first problem in file order when there are several', () => {
    const error = errorOf(
      suite(
        '  - id: a',
        '    command: x',
        '    retries: -1',
        '  - id: b',
        '    command: [1]',
        '    bogus: 1',
      ),
    );
    expect([error.line, error.field]).toEqual([5, 'tasks[0].retries']);
  });
});

describe('formatPath', () => {
  it('reads like the YAML it points at', () => {
    expect(formatPath(['tasks', 3, 'timeout', 'stall'])).toBe('tasks[3].timeout.stall');
    expect(formatPath(['tasks', 0, 'env', 'a.b'])).toBe('tasks[0].env["a.b"]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('SuiteError', () => {
  it('keeps the message on one line', () => {
    const error = new SuiteError({ file: 'f.yaml', line: 2, column: 3, field: 'name', reason: 'bad\nvalue' });
    expect(error.message).toBe('f.yaml:2:3: name: bad value');
  });
});
