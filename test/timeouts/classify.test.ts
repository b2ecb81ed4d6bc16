import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { CLASS_LEVELS, classify, type TaskClass } from '../../src/timeouts/classify.js';
import { COMPLEXITIES } from '../../src/timeouts/judge.js';
import type { PlanInput } from '../../src/timeouts/types.js';

type Rules = Config['classifier']['rules'];

function task(argv: string[], extra: Partial<PlanInput> = {}): PlanInput {
  return { argv, shell: false, cwd: '/work/repo', timeout: {}, agent: 'none', ...extra };
}

function line(command: string, extra: Partial<PlanInput> = {}): PlanInput {
  return task([command], { shell: true, ...extra });
}

function key(cls: TaskClass, level: (typeof CLASS_LEVELS)[number]): string {
  return cls.levels.find((l) => l.level === level)!.key;
}

const longPrompt = 'Refactor the module so that every function has a docstring. '.repeat(450);

interface Row {
  input: PlanInput;
  kind: TaskClass['kind'];
  verb: string;
  category?: string;
  complexity?: string;
  model?: string;
}

// Realistic commands as they appear in suites, CI scripts and agent stress tests.
const TABLE: Row[] = [
  {
    input: task(['claude', '-p', 'Say hello', '--output-format', 'stream-json', '--verbose']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'simple',
    complexity: 'low',
  },
  {
    input: task(['claude', '-p', 'Write a 5000-word essay on the history of compilers', '--model', 'opus']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'long-generation',
    complexity: 'high',
    model: 'opus',
  },
  {
    input: task(['claude', '--print', 'Summarize the README', '--model', 'claude-sonnet-4-5']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'analysis',
    complexity: 'low',
    model: 'claude-sonnet-4-5',
  },
  {
    input: task(['claude', '-p', 'Spawn 4 subagents in parallel to audit each package']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'parallel',
  },
  {
    input: task([
      'claude',
      '-p',
      'First run the tests, then fix the failures.\n1. run npm test\n2. fix each failure\n3. commit',
    ]),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'orchestration',
    complexity: 'medium',
  },
  {
    input: task(['claude', '-p', 'Orchestrate a release: bump versions, build, publish']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'orchestration',
  },
  {
    input: task(['claude', '-p', 'Implement a CLI todo app in TypeScript with tests']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'code-generation',
    complexity: 'medium',
  },
  {
    input: task(['claude', '-p', longPrompt, '--model', 'haiku']),
    kind: 'llm-agent',
    verb: 'claude -p',
    complexity: 'extreme',
    model: 'haiku',
  },
  {
    input: task(['claude', '-p', 'Create 60 files of boilerplate for the new service']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'code-generation',
    complexity: 'extreme',
  },
  {
    input: task(['claude', '-p', 'Write a comprehensive guide to Rust lifetimes']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'long-generation',
    complexity: 'high',
  },
  {
    input: task(['claude', '-p', 'hi', '--max-turns', '50']),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'simple',
    complexity: 'low',
  },
  {
    input: task(['codex', 'exec', '--json', 'Fix the failing unit test in src/app.ts']),
    kind: 'llm-agent',
    verb: 'codex exec',
    category: 'code-generation',
    complexity: 'low',
  },
  {
    input: task([
      'codex',
      'exec',
      '-m',
      'gpt-5.1-codex',
      '--full-auto',
      'Review this repository for security issues',
    ]),
    kind: 'llm-agent',
    verb: 'codex exec',
    category: 'analysis',
    model: 'gpt-5.1-codex',
  },
  { input: task(['codex', 'e', 'hello']), kind: 'llm-agent', verb: 'codex exec', category: 'simple' },
  {
    input: task(['gemini', '-p', 'Explain this codebase', '-o', 'stream-json']),
    kind: 'llm-agent',
    verb: 'gemini -p',
    category: 'analysis',
  },
  {
    input: task(['gemini', '--prompt', 'Write a detailed 12-page design document', '-m', 'gemini-2.5-pro']),
    kind: 'llm-agent',
    verb: 'gemini -p',
    category: 'long-generation',
    complexity: 'high',
    model: 'gemini-2.5-pro',
  },
  {
    input: task(['npx', '-y', '@anthropic-ai/claude-code', '-p', 'hi']),
    kind: 'llm-agent',
    verb: 'claude -p',
  },
  {
    input: task([
      'sh',
      '-c',
      'cd /repo && claude -p "fix lint errors" --output-format stream-json --verbose',
    ]),
    kind: 'llm-agent',
    verb: 'claude -p',
    category: 'simple',
  },
  { input: line('FOO=1 BAR=2 claude -p "hi"'), kind: 'llm-agent', verb: 'claude -p' },
  { input: task(['timeout', '600', 'claude', '-p', 'hi']), kind: 'llm-agent', verb: 'claude -p' },
  {
    input: task(['cc-stress-fake-agent', '-p', 'hi', '--fake-duration', '5']),
    kind: 'llm-agent',
    verb: 'fake-agent -p',
  },
  {
    input: task(['node', 'bin/fake-agent.js', '--fake-hang-after', '3', '-p', 'x']),
    kind: 'llm-agent',
    verb: 'fake-agent -p',
  },
  { input: task(['cc-stress', 'fake-agent', '-p', 'hi']), kind: 'llm-agent', verb: 'fake-agent -p' },
  {
    input: task(['aider', '--message', 'add type hints', '--model', 'gpt-4o']),
    kind: 'llm-agent',
    verb: 'aider -m',
    model: 'gpt-4o',
  },
  { input: task(['npm', 'test']), kind: 'test', verb: 'npm test', category: 'test', complexity: 'medium' },
  { input: task(['npm', 'run', 'build']), kind: 'build', verb: 'npm run build', category: 'build' },
  { input: task(['npm', 'run', 'test:unit', '--', '--coverage']), kind: 'test', verb: 'npm run test:unit' },
  { input: task(['npm', 'ci']), kind: 'build', verb: 'npm install' },
  { input: task(['pnpm', 'build']), kind: 'build', verb: 'pnpm run build' },
  { input: task(['pnpm', '-r', 'test']), kind: 'test', verb: 'pnpm test', complexity: 'high' },
  { input: task(['pnpm', '--filter', 'web', 'run', 'lint']), kind: 'other', verb: 'pnpm run lint' },
  { input: task(['yarn', 'test']), kind: 'test', verb: 'yarn test' },
  {
    input: task(['cargo', 'build', '--release']),
    kind: 'build',
    verb: 'cargo build',
    category: 'build',
    complexity: 'high',
  },
  {
    input: task(['cargo', 'test', '--release', '--', '--test-threads=1']),
    kind: 'test',
    verb: 'cargo test',
    category: 'test',
    complexity: 'high',
  },
  { input: task(['cargo', '+nightly', 'clippy', '--all-targets']), kind: 'build', verb: 'cargo clippy' },
  { input: task(['go', 'test', './...']), kind: 'test', verb: 'go test', complexity: 'high' },
  {
    input: task(['go', 'test', '-run', 'TestLogin', './auth']),
    kind: 'test',
    verb: 'go test',
    complexity: 'low',
  },
  { input: task(['go', 'build', '-o', 'bin/app', './cmd/app']), kind: 'build', verb: 'go build' },
  {
    input: task(['pytest', '-k', 'login and not slow', '-x']),
    kind: 'test',
    verb: 'pytest',
    complexity: 'low',
  },
  {
    input: task(['python', '-m', 'pytest', '-n', 'auto', 'tests/']),
    kind: 'test',
    verb: 'pytest',
    category: 'parallel',
  },
  { input: task(['uv', 'run', 'pytest', 'tests/unit']), kind: 'test', verb: 'pytest' },
  { input: task(['make', '-j8']), kind: 'build', verb: 'make', category: 'parallel', complexity: 'medium' },
  { input: task(['make', 'test']), kind: 'test', verb: 'make test' },
  {
    input: task(['make', '-j', '4', '-C', 'build', 'install']),
    kind: 'build',
    verb: 'make install',
    category: 'parallel',
  },
  { input: task(['docker', 'build', '-t', 'app:latest', '.']), kind: 'build', verb: 'docker build' },
  {
    input: task(['docker', 'buildx', 'build', '--platform', 'linux/amd64', '.']),
    kind: 'build',
    verb: 'docker build',
  },
  { input: task(['docker', 'compose', 'up', '-d']), kind: 'other', verb: 'docker compose up' },
  { input: task(['./gradlew', 'clean', 'build']), kind: 'build', verb: 'gradle build' },
  { input: task(['mvn', '-B', '-q', 'clean', 'verify']), kind: 'test', verb: 'mvn verify' },
  { input: task(['bash', '-lc', 'npm ci && npm test']), kind: 'test', verb: 'npm test' },
  {
    input: task(['bash', '-euo', 'pipefail', '-c', 'npm ci && npm test 2>&1 | tee test.log']),
    kind: 'test',
    verb: 'npm test',
  },
  {
    input: task(['sh', '-c', 'sleep 5']),
    kind: 'other',
    verb: 'sleep',
    category: 'simple',
    complexity: 'low',
  },
  { input: task(['npx', 'vitest', 'run', '--reporter=dot']), kind: 'test', verb: 'vitest run' },
  {
    input: task(['node_modules/.bin/jest', '--ci', '-w', '4']),
    kind: 'test',
    verb: 'jest',
    category: 'parallel',
  },
  { input: task(['./node_modules/.bin/tsc', '-p', 'tsconfig.build.json']), kind: 'build', verb: 'tsc' },
  { input: task(['bazel', 'test', '//...']), kind: 'test', verb: 'bazel test' },
  { input: task(['env', 'CI=1', 'npm', 'test']), kind: 'test', verb: 'npm test' },
  { input: task(['python', 'train.py', '--epochs', '3']), kind: 'other', verb: 'python train.py' },
  { input: task(['node', '--test']), kind: 'test', verb: 'node --test' },
  { input: line('cd frontend && npm run build'), kind: 'build', verb: 'npm run build' },
  { input: task(['curl', '-sS', 'https://example.com']), kind: 'other', verb: 'curl' },
  { input: task(['./scripts/run-e2e.sh']), kind: 'test', verb: 'run-e2e.sh' },
];

describe('classify: realistic commands', () => {
  it('covers at least 40 commands', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(TABLE.map((row) => [row.input.argv.join(' ').slice(0, 70), row] as const))('%s', (_name, row) => {
    const cls = classify(row.input, []);
    expect(cls.kind).toBe(row.kind);
    expect(cls.verb).toBe(row.verb);
    if (row.category !== undefined) expect(cls.category).toBe(row.category);
    if (row.complexity !== undefined) expect(cls.complexity).toBe(row.complexity);
    if (row.model !== undefined) expect(cls.model).toBe(row.model);
    // The simulated agent's classes live in a namespace of their own.
    const namespace = row.verb.startsWith('fake-agent') ? 'v2/sim/' : 'v2/';
    expect(key(cls, 'verb')).toBe(`${namespace}verb:${row.verb}`);
    expect(key(cls, 'kind')).toBe(`${namespace}kind:${row.kind}`);
  });
});

describe('classify: levels and keys', () => {
  it('returns the five levels from most specific to most general with prefixed keys', () => {
    const cls = classify(task(['claude', '-p', 'hello']), []);
    expect(cls.levels.map((l) => l.level)).toEqual([...CLASS_LEVELS]);
    expect(cls.levels[0]!.key).toMatch(/^v2\/fp:claude -p:[0-9a-f]{16}$/);
    expect(cls.levels[1]!.key).toMatch(/^v2\/tpl:claude -p:[0-9a-f]{16}$/);
    expect(cls.levels.slice(2).map((l) => l.key)).toEqual([
      'v2/verb:claude -p',
      'v2/tool:claude',
      'v2/kind:llm-agent',
    ]);
  });

  it('keeps keys stable across versions, since shared history is stored under them', () => {
    const cls = classify(task(['npm', 'test'], { cwd: '/srv/app' }), []);
    expect(cls.levels.map((l) => l.key)).toEqual([
      'v2/fp:npm test:f0464a6c6103bf22',
      'v2/tpl:npm test:328e123c63857fd8',
      'v2/verb:npm test',
      'v2/tool:npm',
      'v2/kind:test',
    ]);
  });

  it('gives runs of the same prompt shape one template but separate fingerprints', () => {
    const a = classify(task(['claude', '-p', 'Summarize file a.ts', '--model', 'opus']), []);
    const b = classify(task(['claude', '-p', 'Summarize file b.ts', '--model', 'opus']), []);
    expect(key(a, 'template')).toBe(key(b, 'template'));
    expect(key(a, 'fingerprint')).not.toBe(key(b, 'fingerprint'));
  });

  it('separates templates by model, prompt length bucket and requested size', () => {
    const base = classify(task(['claude', '-p', 'Write a poem', '--model', 'opus']), []);
    const otherModel = classify(task(['claude', '-p', 'Write a poem', '--model', 'haiku']), []);
    const longer = classify(
      task(['claude', '-p', `Write a poem. ${'Context line. '.repeat(200)}`, '--model', 'opus']),
      [],
    );
    const bigger = classify(task(['claude', '-p', 'Write a 9000 word poem', '--model', 'opus']), []);
    const keys = new Set([base, otherModel, longer, bigger].map((c) => key(c, 'template')));
    expect(keys.size).toBe(4);
  });

  it('masks numbers, paths and quoted text in command templates', () => {
    const a = classify(task(['pytest', 'tests/test_a.py', '--maxfail', '3']), []);
    const b = classify(task(['pytest', 'tests/test_b.py', '--maxfail', '7']), []);
    expect(key(a, 'template')).toBe(key(b, 'template'));
    expect(a.levels[1]!.label).toBe('pytest <path> --maxfail <n>');
  });

  it('keeps the fake agent timing flags in the template, since they change how long it runs', () => {
    const quick = classify(task(['cc-stress-fake-agent', '-p', 'hi', '--fake-duration', '2']), []);
    const slow = classify(task(['cc-stress-fake-agent', '-p', 'hi', '--fake-duration', '200']), []);
    expect(key(quick, 'template')).not.toBe(key(slow, 'template'));
    expect(key(quick, 'verb')).toBe(key(slow, 'verb'));
  });

  it('reads the fake agent flags the way the fake agent does', () => {
    const busy = classify(task(['cc-stress-fake-agent', '--fake-busy', 'write a haiku']), []);
    expect(busy.prompt?.chars).toBe('write a haiku'.length);
    const seeded = (seed: string) =>
      classify(task(['cc-stress-fake-agent', '-p', 'hi', '--fake-seed', seed, '--fake-think', '90s']), []);
    expect(key(seeded('1'), 'template')).toBe(key(seeded('2'), 'template'));
    expect(key(seeded('1'), 'fingerprint')).not.toBe(key(seeded('2'), 'fingerprint'));
    const codexStyle = classify(
      task(['cc-stress-fake-agent', '--fake-format', 'codex', 'exec', '--json', 'fix it']),
      [],
    );
    expect(codexStyle.verb).toBe('fake-agent exec');
    expect(codexStyle.prompt?.chars).toBe('fix it'.length);
  });

  it('ignores wrappers that do not change the work', () => {
    const plain = classify(task(['vitest', 'run']), []);
    const wrapped = classify(task(['timeout', '60', 'npx', 'vitest', 'run']), []);
    const shelled = classify(task(['sh', '-c', 'exec nice -n 10 ./node_modules/.bin/vitest run']), []);
    for (const other of [wrapped, shelled]) {
      expect(other.levels.map((l) => l.key)).toEqual(plain.levels.map((l) => l.key));
    }
  });

  it('tells the same command in different folders apart only at the fingerprint level', () => {
    const a = classify(task(['npm', 'test'], { cwd: '/repos/a' }), []);
    const b = classify(task(['npm', 'test'], { cwd: '/repos/b/' }), []);
    expect(key(a, 'fingerprint')).not.toBe(key(b, 'fingerprint'));
    expect(key(a, 'template')).toBe(key(b, 'template'));
  });

  it('does not let per-run session ids split a fingerprint', () => {
    const a = classify(
      task(['claude', '-p', 'hi', '--session-id', '0b6f8a54-3c1e-4d7a-9a55-5f0e2b1c9d11']),
      [],
    );
    const b = classify(
      task(['claude', '-p', 'hi', '--session-id', 'c4d1e2f3-1111-4222-8333-944455566677']),
      [],
    );
    expect(key(a, 'fingerprint')).toBe(key(b, 'fingerprint'));
  });

  it('treats a shell line and the same argv alike', () => {
    const a = classify(line('cargo   build  --release'), []);
    const b = classify(task(['cargo', 'build', '--release']), []);
    expect(a.levels.map((l) => l.key)).toEqual(b.levels.map((l) => l.key));
  });
});

describe('classify: flags are never content', () => {
  it('does not read -j 8 or --max-turns 50 as a requested size', () => {
    expect(classify(task(['make', '-j', '8']), []).complexity).toBe('medium');
    expect(
      classify(task(['claude', '-p', 'hi', '--max-turns', '50', '--max-budget-usd', '5000']), []).complexity,
    ).toBe('low');
  });

  it('keeps the verb of cargo build --release', () => {
    const cls = classify(task(['cargo', 'build', '--release', '--features', 'full']), []);
    expect(cls.kind).toBe('build');
    expect(cls.verb).toBe('cargo build');
  });

  it('does not take a flag value for the prompt', () => {
    const cls = classify(
      task(['claude', '--output-format', 'stream-json', '--model', 'opus', '-p', 'Write 3000 words']),
      [],
    );
    expect(cls.prompt?.chars).toBe('Write 3000 words'.length);
    expect(cls.category).toBe('long-generation');
  });
});

describe('classify: hints and rules', () => {
  const rules: Rules = [
    { match: 'nightly-e2e', category: 'extreme-e2e', complexity: 'extreme', kind: 'test' },
    { match: 'BENCHMARK', category: 'benchmark' },
    { match: 'benchmark', complexity: 'high' },
    { match: '([', category: 'never' },
  ];

  it('applies config rules case-insensitively, the first rule per field winning', () => {
    const cls = classify(task(['./ci/Nightly-E2E.sh']), rules);
    expect(cls).toMatchObject({ kind: 'test', category: 'extreme-e2e', complexity: 'extreme' });
    const bench = classify(task(['node', 'benchmark.js']), rules);
    expect(bench).toMatchObject({ category: 'benchmark', complexity: 'high' });
  });

  it('skips a rule whose pattern does not compile instead of throwing', () => {
    expect(() => classify(task(['echo', '([']), rules)).not.toThrow();
    expect(classify(task(['echo', '([']), rules).category).not.toBe('never');
  });

  it('lets suite hints override category and complexity without changing any key', () => {
    const plain = classify(task(['claude', '-p', 'hi']), []);
    const hinted = classify(
      task(['claude', '-p', 'hi'], { category: 'model-comparison', complexity: 'extreme' }),
      [],
    );
    expect(hinted.category).toBe('model-comparison');
    expect(hinted.complexity).toBe('extreme');
    expect(hinted.levels.map((l) => l.key)).toEqual(plain.levels.map((l) => l.key));
  });

  it('treats a wrapper script run with an agent adapter as an llm-agent', () => {
    const cls = classify(task(['./run-agent.sh', 'Write a haiku'], { agent: 'claude' }), []);
    expect(cls.kind).toBe('llm-agent');
    expect(key(cls, 'kind')).toBe('v2/kind:llm-agent');
  });

  it('explains its decisions', () => {
    const cls = classify(task(['claude', '-p', 'Write a 5000-word essay']), []);
    expect(cls.reasons.join('\n')).toMatch(/5000-word/);
  });

  it('classifies a megabyte prompt quickly', () => {
    const start = performance.now();
    const cls = classify(task(['claude', '-p', 'word '.repeat(200_000)]), []);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(cls.prompt?.bucket).toBe('xl');
    expect(cls.levels[0]!.label.length).toBeLessThanOrEqual(160);
  });
});

const agentKinds = fc.constantFrom('claude', 'codex', 'gemini', 'none') as fc.Arbitrary<PlanInput['agent']>;
const shellish = fc.array(
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      'sh',
      '-c',
      'bash',
      '-lc',
      'claude',
      '-p',
      'codex',
      'exec',
      'npx',
      'timeout',
      '60',
      'env',
      'FOO=1',
      '&&',
      '||',
      '|',
      ';',
      '"',
      "'",
      '\\',
      '$(',
      ')',
      '(',
      '`',
      '\n',
      '#',
      '>',
      '2>&1',
      'make',
      '-j',
      '8',
      'npm',
      'run',
      'test',
      'cargo',
      'build',
      '--release',
      'node',
      'bin/fake-agent.js',
      '--fake-x',
      '5000 words',
      '-',
      '--',
      '=',
    ),
  ),
  { maxLength: 14 },
);

const anyInput: fc.Arbitrary<PlanInput> = fc.record({
  argv: fc.oneof(
    fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 8 }),
    shellish,
    shellish.map((w) => [w.join(' ')]),
  ),
  shell: fc.boolean(),
  cwd: fc.string({ unit: 'binary', maxLength: 30 }),
  timeout: fc.constant({}),
  agent: agentKinds,
  category: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  complexity: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
});

describe('classify: properties', () => {
  it('gives any input a valid class with short single-line keys', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const cls = classify(input, []);
        expect(['llm-agent', 'build', 'test', 'other']).toContain(cls.kind);
        expect(cls.levels.map((l) => l.level)).toEqual([...CLASS_LEVELS]);
        const prefixes = ['fp:', 'tpl:', 'verb:', 'tool:', 'kind:'];
        cls.levels.forEach((l, i) => {
          expect(l.key.replace(/^v2\/(sim\/)?/, '').startsWith(prefixes[i]!)).toBe(true);
          expect(l.key.length).toBeLessThanOrEqual(100);
          expect(l.key).toMatch(/^[\x20-\x7e]+$/);
          expect(l.label).not.toMatch(/[\n\r]/);
        });
        expect(cls.category.length).toBeGreaterThan(0);
        if (!input.complexity) expect(COMPLEXITIES).toContain(cls.complexity);
      }),
      { numRuns: 600 },
    );
  });

  it('is deterministic and leaves its input untouched', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const copy = structuredClone(input);
        const first = classify(input, []);
        expect(classify(copy, [])).toEqual(first);
        expect(input).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, whatever the rules', () => {
    const anyRules = fc.array(
      fc.record({
        match: fc.string({ minLength: 1, maxLength: 8 }),
        category: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        complexity: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        kind: fc.option(
          fc.constantFrom('llm-agent', 'build', 'test', 'other') as fc.Arbitrary<TaskClass['kind']>,
          { nil: undefined },
        ),
      }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(anyInput, anyRules, (input, rules) => {
        const cls = classify(input, rules);
        expect(cls.levels).toHaveLength(5);
      }),
      { numRuns: 300 },
    );
  });
});
