import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/command/model.js';
import { quoteArgv } from '../../src/command/quote.js';
import { classify } from '../../src/timeouts/classify.js';

/** The work, spelled the way people run it: bare, by path, through a package runner or a script bin. */
const claude = fc.constantFrom(
  ['claude'],
  ['/usr/local/bin/claude'],
  ['./node_modules/.bin/claude'],
  ['npx', '@anthropic-ai/claude-code'],
  ['npx', '-y', '@anthropic-ai/claude-code@latest'],
  ['pnpm', 'dlx', '@anthropic-ai/claude-code'],
  ['yarn', 'dlx', '@anthropic-ai/claude-code'],
  ['bunx', '@anthropic-ai/claude-code'],
  ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'],
);
const codex = fc.constantFrom(['codex'], ['npx', '@openai/codex'], ['pnpm', 'exec', 'codex']);
const gemini = fc.constantFrom(
  ['gemini'],
  ['npx', '@google/gemini-cli'],
  ['bunx', '@google/gemini-cli@0.9.0'],
);
const simulated = fc.constantFrom(
  ['cc-stress-fake-agent'],
  ['cc-stress', 'fake-agent'],
  ['node', '/opt/cc-stress/bin/cc-stress', 'fake-agent'],
  ['npx', 'cc-stress', 'fake-agent'],
);
const prompt = fc.string({ minLength: 1, maxLength: 40 });

const work: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .tuple(claude, prompt)
    .map(([bin, p]) => [...bin, '-p', p, '--output-format', 'stream-json', '--verbose']),
  fc.tuple(codex, prompt).map(([bin, p]) => [...bin, 'exec', '--json', p]),
  fc.tuple(gemini, prompt).map(([bin, p]) => [...bin, '-p', p, '-o', 'stream-json']),
  fc.tuple(simulated, prompt).map(([bin, p]) => [...bin, '-p', p, '--fake-duration', '2s']),
  fc.constantFrom<string[]>(
    ['npm', 'test'],
    ['cargo', 'build', '--release'],
    ['pytest', '-k', 'test_login', '-x'],
    ['make', '-j8'],
    ['go', 'test', './...'],
  ),
);

type Wrapper = { words: string[] } | { shell: string[] };

const wrapper: fc.Arbitrary<Wrapper> = fc.oneof(
  fc.constantFrom<Wrapper>(
    { words: ['timeout', '600'] },
    { words: ['timeout', '-s', 'KILL', '-k', '10', '30m'] },
    { words: ['timeout', '--preserve-status', '1h'] },
    { words: ['nice'] },
    { words: ['nice', '-n', '10'] },
    { words: ['ionice', '-c', '2', '-n', '7'] },
    { words: ['nohup'] },
    { words: ['stdbuf', '-oL'] },
    { words: ['stdbuf', '-o', 'L', '-e', 'L'] },
    { words: ['sudo'] },
    { words: ['sudo', '-E', '-u', 'ci'] },
    { words: ['time'] },
    { words: ['time', '-p'] },
    { words: ['env'] },
    { words: ['env', '-u', 'HOME', 'CI=1'] },
    { words: ['command'] },
    { shell: ['sh', '-c'] },
    { shell: ['bash', '-lc'] },
    { shell: ['bash', '-euo', 'pipefail', '-c'] },
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/))
    .map(([name, value]): Wrapper => ({ words: [`${name}=${value}`] })),
);

function wrap(argv: string[], stack: Wrapper[]): string[] {
  let out = argv;
  // The last wrapper of the stack is the innermost.
  for (const w of [...stack].reverse())
    out = 'shell' in w ? [...w.shell, quoteArgv(out)] : [...w.words, ...out];
  return out;
}

const input = (argv: string[], shell = false) => ({
  argv,
  shell,
  cwd: '/srv/app',
  timeout: {},
  agent: 'none' as const,
});
const general = (argv: string[], shell = false) =>
  classify(input(argv, shell), [])
    .levels.slice(2)
    .map((l) => l.key);

describe('unwrapping, whatever the wrappers', () => {
  it('any stack of wrappers leaves program, verb, agent and simulation as the bare command has them', () => {
    fc.assert(
      fc.property(work, fc.array(wrapper, { maxLength: 5 }), (argv, stack) => {
        const bare = describeCommand(argv);
        const wrapped = wrap(argv, stack);
        for (const [words, shell] of [
          [wrapped, false],
          [[quoteArgv(wrapped)], true],
        ] as const) {
          const model = describeCommand(words, shell);
          expect(model).toMatchObject({
            program: bare.program,
            verb: bare.verb,
            agent: bare.agent,
            simulated: bare.simulated,
          });
          expect(model.args).toEqual(bare.args);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a wrapped command in the same verb, tool and kind classes as the bare one', () => {
    fc.assert(
      fc.property(work, fc.array(wrapper, { maxLength: 5 }), (argv, stack) => {
        expect(general(wrap(argv, stack))).toEqual(general(argv));
        expect(general([quoteArgv(wrap(argv, stack))], true)).toEqual(general(argv));
      }),
      { numRuns: 500 },
    );
  });

  it('reads every spelling of an agent as that agent, and the simulated agent as simulated only', () => {
    fc.assert(
      fc.property(claude, codex, gemini, simulated, (c, x, g, s) => {
        expect(describeCommand([...c, '-p', 'hi'])).toMatchObject({
          program: 'claude',
          agent: 'claude',
          simulated: false,
        });
        expect(describeCommand([...x, 'exec', 'hi'])).toMatchObject({
          program: 'codex',
          agent: 'codex',
          simulated: false,
        });
        expect(describeCommand([...g, '-p', 'hi'])).toMatchObject({
          program: 'gemini',
          agent: 'gemini',
          simulated: false,
        });
        expect(describeCommand([...s, '-p', 'hi'])).toMatchObject({
          program: 'fake-agent',
          agent: 'claude',
          simulated: true,
        });
      }),
    );
  });

  it('never puts a simulated command in a class a real command has, at any level', () => {
    fc.assert(
      fc.property(work, work, fc.array(wrapper, { maxLength: 3 }), (a, b, stack) => {
        const one = classify(input(wrap(a, stack)), []);
        const two = classify(input(b), []);
        if (one.simulated === two.simulated) return;
        const keys = new Set(one.levels.map((l) => l.key));
        for (const level of two.levels) expect(keys.has(level.key)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
