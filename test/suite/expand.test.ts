// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSuite, type Suite, type TaskSpec } from '../../src/suite/index.js';

const FILE = 'suites/demo.yaml';
const SUITE_DIR = resolve('suites');

function load(text: string, options: { env?: NodeJS.ProcessEnv; repeat?: number } = {}): Suite {
  return parseSuite(text, FILE, { env: {}, ...options });
}

function only(text: string, env: NodeJS.ProcessEnv = {}): TaskSpec {
  const { tasks } = load(text, { env });
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

describe('a minimal task', () => {
  it('gets every default', () => {
    const suite = load('name: demo\ntasks:\n  - id: hello\n    command: echo hello\n');
    expect(suite).toEqual({
      name: 'demo',
      file: resolve(FILE),
      defaults: { concurrency: 4, retries: 0, target: 0.9 },
      history: 'shared',
      tasks: [
        {
          id: 'hello',
          baseId: 'hello',
          name: 'hello',
          argv: ['echo', 'hello'],
          shell: false,
          cwd: SUITE_DIR,
          env: {},
          agent: 'none',
          retries: 0,
          timeout: {},
          expect: {
            exitCode: [0],
            stdout: { contains: [], notContains: [], matches: [] },
            stderr: { contains: [], notContains: [], matches: [] },
            minOutputBytes: 0,
            result: null,
          },
          repeatIndex: 1,
          source: { file: FILE, line: 3 },
        },
      ],
    });
  });
});

describe('defaults', () => {
  const text = `
name: demo
description: nightly
defaults:
  concurrency: 8
  retries: 2
  target: 0.95
  env: { SHARED: base, LEVEL: 1, DEBUG: true }
  cwd: work
  shell: true
  agent: claude
  timeout: { max: 600, stall: 120 }
tasks:
  - id: inherits
    command: make test | tee log
  - id: overrides
    command: [node, run.js]
    env: { LEVEL: 2, OWN: x }
    cwd: /abs/place
    agent: none
    retries: 0
    timeout: { max: 900 }
`;
  it('apply to every task, field by field, the task winning', () => {
    const suite = load(text);
    expect(suite.description).toBe('nightly');
    expect(suite.defaults).toEqual({ concurrency: 8, retries: 2, target: 0.95 });
    const [inherits, overrides] = suite.tasks;
    expect(inherits).toMatchObject({
      argv: ['make test | tee log'],
      shell: true,
      env: { SHARED: 'base', LEVEL: '1', DEBUG: 'true' },
      cwd: resolve(SUITE_DIR, 'work'),
      agent: 'claude',
      retries: 2,
      timeout: { max: 600, stall: 120 },
    });
    expect(overrides).toMatchObject({
      argv: ['node', 'run.js'],
      // An argv list never goes through a shell, whatever defaults.shell says.
      shell: false,
      env: { SHARED: 'base', LEVEL: '2', DEBUG: 'true', OWN: 'x' },
      cwd: '/abs/place',
      agent: 'none',
      retries: 0,
      timeout: { max: 900, stall: 120 },
    });
  });
});

describe('variables', () => {
  it('come from the matrix, then vars, then the environment', () => {
    const text = `
name: vars
vars: { WHO: vars, MODEL: "\${MODEL_FROM_ENV:-haiku}", N: 3 }
tasks:
  - id: t
    name: "\${WHO} \${MODEL} \${N}"
    command: echo \${WHO} \${HOME_DIR}
    matrix: { WHO: [matrix] }
    env: { GREETING: "hi \${WHO}" }
    cwd: \${HOME_DIR}/w
    category: "\${MODEL}"
    expect:
      stdout: { contains: "\${WHO}", not_contains: ["\${N} errors"], matches: "^\${MODEL}$" }
`;
    const task = only(text, { WHO: 'env', HOME_DIR: '/home/u', MODEL_FROM_ENV: 'opus' });
    expect(task.name).toBe('matrix opus 3');
    expect(task.argv).toEqual(['echo', 'matrix', '/home/u']);
    expect(task.env).toEqual({ GREETING: 'hi matrix' });
    expect(task.cwd).toBe('/home/u/w');
    expect(task.category).toBe('opus');
    expect(task.expect.stdout).toEqual({
      contains: ['matrix'],
      notContains: ['3 errors'],
      matches: ['^opus$'],
    });
  });

  it('never add quotes or shell syntax: a value is only ever split on whitespace', () => {
    const task = only('name: x\ntasks:\n  - id: t\n    command: claude -p "${PROMPT}" ${PROMPT}\n', {
      PROMPT: `fix "it"; rm -rf $(pwd) | cat`,
    });
    expect(task.argv).toEqual([
      'claude',
      '-p',
      'fix "it"; rm -rf $(pwd) | cat',
      'fix',
      '"it";',
      'rm',
      '-rf',
      '$(pwd)',
      '|',
      'cat',
    ]);
  });

  it('split into several arguments when unquoted, as in sh, and stay one when quoted', () => {
    const text = `name: x
vars: { STREAM: --output-format stream-json --verbose, EXTRA: '' }
tasks:
  - id: t
    command: claude -p "\${PROMPT}" \${STREAM} \${EXTRA} \${EXTRA:-} pre\${PROMPT}post '\${PROMPT}'
`;
    const task = only(text, { PROMPT: ' two  words ' });
    expect(task.argv).toEqual([
      'claude',
      '-p',
      ' two  words ',
      '--output-format',
      'stream-json',
      '--verbose',
      'pre',
      'two',
      'words',
      'post',
      ' two  words ',
    ]);
  });

  it('keep an explicitly empty argument', () => {
    const task = only('name: x\ntasks:\n  - id: t\n    command: echo "" "${EMPTY}" ${EMPTY}\n', {
      EMPTY: '',
    });
    expect(task.argv).toEqual(['echo', '', '']);
  });

  it('expand once into a shell line when shell: true', () => {
    const task = only(
      'name: x\ntasks:\n  - id: t\n    shell: true\n    command: echo ${A:-one two} | wc -w\n',
    );
    expect(task.argv).toEqual(['echo one two | wc -w']);
    expect(task.shell).toBe(true);
  });

  it('keep $${ as a literal ${', () => {
    const task = only("name: x\ntasks:\n  - id: t\n    command: [sh, -c, 'echo $${HOME}']\n");
    expect(task.argv).toEqual(['sh', '-c', 'echo ${HOME}']);
  });

  it('refuse a program name that expands to nothing', () => {
    expect(() => only('name: x\ntasks:\n  - id: t\n    command: ${CMD:-} -v\n')).toThrow(
      'suites/demo.yaml:4:14: tasks[0].command: the program name is empty once variables are expanded',
    );
  });

  it('expand only the env value that wins, so an overridden default cannot fail', () => {
    const text =
      'name: x\ndefaults:\n  env: { TOKEN: "${TOKEN}" }\ntasks:\n  - id: t\n    command: x\n    env: { TOKEN: none }\n';
    expect(only(text).env).toEqual({ TOKEN: 'none' });
  });

  it('may not put a line break into a name', () => {
    expect(() =>
      only('name: x\ntasks:\n  - id: t\n    command: x\n    name: run ${WHO}\n', { WHO: 'a\nb' }),
    ).toThrow('suites/demo.yaml:5:11: tasks[0].name: must be a single line once variables are expanded');
  });

  it('read process.env when no env is given', () => {
    const name = 'CC_STRESS_SUITE_TEST_VALUE';
    process.env[name] = 'from-process';
    try {
      const suite = parseSuite(`name: x\ntasks:\n  - id: t\n    command: echo \${${name}}\n`, FILE);
      expect(suite.tasks[0]!.argv).toEqual(['echo', 'from-process']);
    } finally {
      delete process.env[name];
    }
  });
});

describe('matrix', () => {
  const text = `
name: m
tasks:
  - id: gen
    name: "gen \${model} x\${size}"
    command: [claude, -p, "write \${size} files", --model, "\${model}"]
    matrix:
      model: [sonnet, opus]
      size: [1, 10, 100]
  - id: plain
    command: echo
`;
  it('expands one task per combination, in written order, keeping the base id', () => {
    const suite = load(text);
    expect(suite.tasks.map((t) => t.id)).toEqual([
      'gen[model=sonnet,size=1]',
      'gen[model=sonnet,size=10]',
      'gen[model=sonnet,size=100]',
      'gen[model=opus,size=1]',
      'gen[model=opus,size=10]',
      'gen[model=opus,size=100]',
      'plain',
    ]);
    expect(new Set(suite.tasks.slice(0, 6).map((t) => t.baseId))).toEqual(new Set(['gen']));
    expect(suite.tasks[4]).toMatchObject({
      name: 'gen opus x10',
      argv: ['claude', '-p', 'write 10 files', '--model', 'opus'],
      agent: 'claude',
      repeatIndex: 1,
      source: { file: FILE, line: 4 },
    });
  });

  it('names an unnamed matrix task by its expanded id', () => {
    const suite = load(
      'name: m\ntasks:\n  - id: t\n    command: echo ${on}\n    matrix: { on: [true, false] }\n',
    );
    expect(suite.tasks.map((t) => [t.name, t.argv[1]])).toEqual([
      ['t[on=true]', 'true'],
      ['t[on=false]', 'false'],
    ]);
  });
});

describe('repeat', () => {
  it('gives each run its own id and index', () => {
    const suite = load(
      'name: r\ntasks:\n  - id: flaky\n    command: echo\n    repeat: 3\n  - id: once\n    command: echo\n',
    );
    expect(suite.tasks.map((t) => [t.id, t.baseId, t.repeatIndex])).toEqual([
      ['flaky#1', 'flaky', 1],
      ['flaky#2', 'flaky', 2],
      ['flaky#3', 'flaky', 3],
      ['once', 'once', 1],
    ]);
  });

  it('multiplies with the --repeat option and with the matrix', () => {
    const text = 'name: r\ntasks:\n  - id: t\n    command: echo\n    repeat: 2\n    matrix: { k: [a, b] }\n';
    const suite = load(text, { repeat: 3 });
    expect(suite.tasks).toHaveLength(12);
    expect(suite.tasks[0]!.id).toBe('t[k=a]#1');
    expect(suite.tasks[11]!.id).toBe('t[k=b]#6');
    expect(new Set(suite.tasks.map((t) => t.id)).size).toBe(12);
  });

  it('gives every run objects of its own', () => {
    const suite = load('name: r\ntasks:\n  - id: t\n    command: echo\n    repeat: 2\n    env: { A: x }\n');
    const [first, second] = suite.tasks;
    first!.env.A = 'changed';
    first!.argv.push('more');
    first!.expect.exitCode.push(1);
    expect(second!.env.A).toBe('x');
    expect(second!.argv).toEqual(['echo']);
    expect(second!.expect.exitCode).toEqual([0]);
  });

  it('refuses a repeat option that is not a positive integer', () => {
    expect(() => load('name: r\ntasks:\n  - id: t\n    command: echo\n', { repeat: 0 })).toThrow(RangeError);
  });
});

describe('expectations', () => {
  it('normalise single values to lists and keep the result check', () => {
    const task = only(`
name: e
tasks:
  - id: t
    command: claude -p hi --output-format stream-json --verbose
    expect:
      exit_code: 1
      stdout: { contains: done, not_contains: [Traceback, FATAL], matches: ['"type":"result"'] }
      stderr: { not_contains: panic }
      min_output_bytes: 10
      result: { is_error: false, subtype: success }
`);
    expect(task.expect).toEqual({
      exitCode: [1],
      stdout: { contains: ['done'], notContains: ['Traceback', 'FATAL'], matches: ['"type":"result"'] },
      stderr: { contains: [], notContains: ['panic'], matches: [] },
      minOutputBytes: 10,
      result: { is_error: false, subtype: 'success' },
    });
    expect(task.agent).toBe('claude');
  });

  it('accept a list of exit codes', () => {
    const task = only('name: e\ntasks:\n  - id: t\n    command: x\n    expect: { exit_code: [0, 3] }\n');
    expect(task.expect.exitCode).toEqual([0, 3]);
  });
});

describe('agent', () => {
  it.each([
    ['codex exec --json hi', 'auto', 'codex'],
    ['node ../bin/fake-agent.js --seed 3', 'auto', 'claude'],
    ['cc-stress fake-agent', 'auto', 'claude'],
    ['make build', 'auto', 'none'],
    ['my-wrapper -p hi', 'gemini', 'gemini'],
    ['claude -p hi', 'none', 'none'],
  ])('%s with agent %s is %s', (command, agent, expected) => {
    const task = only(`name: a\ntasks:\n  - id: t\n    command: ${command}\n    agent: ${agent}\n`);
    expect(task.agent).toBe(expected);
  });

  it('is detected from the first word of a shell line', () => {
    const task = only(
      'name: a\ntasks:\n  - id: t\n    shell: true\n    command: claude -p hi | tee out.log\n',
    );
    expect(task.agent).toBe('claude');
  });
});
