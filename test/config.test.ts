import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, configSchema, loadConfig, parseConfig, readEnv } from '../src/config.js';
import { patternProblem } from '../src/text/user-pattern.js';

/**
 * Every key of the config file with what it accepts. The generators below build valid files from it and
 * break exactly one thing at a time, so the error must name that key.
 */
interface NumberKey {
  type: 'number';
  min: number;
  max: number;
  minExcluded?: boolean;
  maxExcluded?: boolean;
  int?: boolean;
}
interface StringKey {
  type: 'string';
  valid: fc.Arbitrary<string>;
  invalid: fc.Arbitrary<string>;
}
type KeySpec = NumberKey | StringKey;

const BIG = 1e12;
const WEEK = 7 * 24 * 3600;
const positive = (max = BIG): NumberKey => ({ type: 'number', min: 0, minExcluded: true, max });
const int = (min: number, max: number): NumberKey => ({ type: 'number', min, max, int: true });
const KINDS = ['llm-agent', 'build', 'test', 'other'] as const;

const redisUrls = fc.constantFrom(
  'redis://127.0.0.1:6379',
  'rediss://user:secret@redis.example:6380/2',
  'redis://r',
);
const notRedisUrls = fc.constantFrom(
  'localhost:6379',
  'http://127.0.0.1:6379',
  'not a url',
  '//x:1',
  'redis:/x',
);

const SPEC: Record<string, Record<string, KeySpec>> = {
  limits: {
    defaultMaxSeconds: positive(7 * 24 * 3600),
    defaultStallSeconds: positive(7 * 24 * 3600),
    graceSeconds: { type: 'number', min: 0, max: 600 },
  },
  history: {
    path: { type: 'string', valid: fc.string({ minLength: 1 }), invalid: fc.constant('') },
    redisUrl: { type: 'string', valid: redisUrls, invalid: notRedisUrls },
    keyPrefix: {
      type: 'string',
      valid: fc.stringMatching(/^[A-Za-z0-9:_-]{1,64}$/),
      invalid: fc.oneof(
        fc.constant(''),
        fc.stringMatching(/^[A-Za-z0-9:_-]{65,80}$/),
        fc.stringMatching(/^[a-z]{0,5}[ *?{}/.\n\u00e9][a-z]{0,5}$/),
      ),
    },
    maxRunsPerClass: int(8, 100_000),
    ttlDays: positive(3650),
    commandTimeoutMs: int(10, 5000),
    bufferLimit: int(0, 1_000_000),
  },
  predictor: {
    alpha: { type: 'number', min: 0, max: 0.5, minExcluded: true, maxExcluded: true },
    safetyFactor: { type: 'number', min: 1, max: 10 },
    minSamples: int(3, 10_000),
    window: int(10, 100_000),
    extensionTimes: int(0, 5),
    extensionFraction: { type: 'number', min: 0, max: 2, minExcluded: true },
    presumedHangRate: { type: 'number', min: 0, max: 0.5 },
    ...Object.fromEntries(
      ['stallFloorSeconds', 'priorMaxSeconds', 'priorStallSeconds', 'quietFloorSeconds'].flatMap((group) =>
        KINDS.map((kind) => [`${group}.${kind}`, positive(WEEK)]),
      ),
    ),
  },
  progress: {
    repeatSeconds: { type: 'number', min: 0, max: 3600 },
    keepAliveSeconds: { type: 'number', min: 0, max: 86_400 },
    windowSeconds: { type: 'number', min: 1, max: 600 },
    minCpuPercent: { type: 'number', min: 0.1, max: 100 },
    minIoBytesPerSecond: { type: 'number', min: 1, max: 1e9 },
  },
  output: {
    headBytes: int(0, 16 * 1024 * 1024),
    tailBytes: int(256, 16 * 1024 * 1024),
  },
};

/** Each key as [section, key-within-section]; grouped keys (a.b) are whole objects in the file. */
const KEYS = Object.entries(SPEC).flatMap(([section, keys]) =>
  Object.keys(keys).map((key) => [section, key] as const),
);

function validValue(spec: KeySpec): fc.Arbitrary<unknown> {
  if (spec.type === 'string') return spec.valid;
  if (spec.int) return fc.integer({ min: spec.min, max: spec.max });
  return fc.double({
    min: spec.min,
    max: spec.max,
    minExcluded: spec.minExcluded ?? false,
    maxExcluded: spec.maxExcluded ?? false,
    noNaN: true,
  });
}

const wrongTypes = fc.oneof(
  fc.string().filter((s) => s !== ''),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.integer(), { maxKeys: 2 }),
);

function invalidValue(spec: KeySpec): fc.Arbitrary<unknown> {
  if (spec.type === 'string') {
    return fc.oneof(spec.invalid, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
  }
  // fast-check orders -0 below 0, but for a config -0 is 0: compare as numbers.
  const below = fc
    .double({ min: -BIG, max: spec.min, noNaN: true })
    .filter((v) => (spec.minExcluded ? v <= spec.min : v < spec.min));
  const above =
    spec.max >= BIG
      ? fc.constant(Number.POSITIVE_INFINITY)
      : fc
          .double({ min: spec.max, max: BIG, noNaN: true })
          .filter((v) => (spec.maxExcluded ? v >= spec.max : v > spec.max));
  const choices: fc.Arbitrary<unknown>[] = [below, above, wrongTypes, fc.constant(Number.NaN)];
  if (spec.int) choices.push(fc.integer({ min: spec.min, max: spec.max - 1 }).map((n) => n + 0.5));
  // YAML writes numbers as text; a number in quotes is a string, not a number.
  choices.push(validValue(spec).map((n) => String(n)));
  return fc.oneof(...choices);
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

/** A kind group (stallFloorSeconds etc.) must list all four kinds, so one present key brings the rest. */
function completeGroups(tree: Tree): void {
  const predictor = tree.predictor as Tree | undefined;
  if (predictor === undefined) return;
  for (const group of ['stallFloorSeconds', 'priorMaxSeconds', 'priorStallSeconds', 'quietFloorSeconds']) {
    const values = predictor[group] as Tree | undefined;
    if (values === undefined) continue;
    for (const kind of KINDS) if (!(kind in values)) values[kind] = 60;
  }
}

const validRule = fc.record(
  {
    match: fc.oneof(
      fc.constantFrom('deploy', '^claude\\b', 'npm (test|run test)', '[0-9]+', '(?P<n>x)'),
      fc.string({ minLength: 1, maxLength: 12 }).filter((s) => patternProblem(s) === null),
    ),
    category: fc.stringMatching(/^[a-z]{1,10}$/),
    complexity: fc.constantFrom('low', 'medium', 'high', 'extreme'),
    kind: fc.constantFrom(...KINDS),
  },
  { requiredKeys: ['match'] },
);

// The last three are valid JavaScript but could backtrack, so the linear-time engine refuses them.
const BAD_REGEXES = [
  '(',
  '[a-',
  '*x',
  'a{2,1}',
  '\\',
  '(?<n>a)(?<n>b)',
  'x(?',
  '(\n',
  '[z-a]',
  '(a)\\1',
  'a(?=b)',
  '(?<!x)y',
];

/** A valid config: any subset of keys, with floorSeconds <= capSeconds however they are given. */
const validConfigs = fc
  .record({
    values: fc.tuple(
      ...KEYS.map(([section, key]) => fc.option(validValue(SPEC[section]![key]!), { nil: undefined })),
    ),
    floorCap: fc.option(
      fc.oneof(
        fc
          .tuple(
            fc.double({ min: 1e-3, max: WEEK, noNaN: true }),
            fc.double({ min: 1e-3, max: WEEK, noNaN: true }),
          )
          .map(([a, b]) => ({ floorSeconds: Math.min(a, b), capSeconds: Math.max(a, b) })),
        fc.double({ min: 1e-3, max: 14_400, noNaN: true }).map((floorSeconds) => ({ floorSeconds })),
        fc.double({ min: 10, max: WEEK, noNaN: true }).map((capSeconds) => ({ capSeconds })),
      ),
      { nil: undefined },
    ),
    rules: fc.option(fc.array(validRule, { maxLength: 3 }), { nil: undefined }),
  })
  .map(({ values, floorCap, rules }) => {
    const tree: Tree = {};
    KEYS.forEach(([section, key], i) => {
      if (values[i] !== undefined) setPath(tree, [section, ...key.split('.')], values[i]);
    });
    for (const [key, value] of Object.entries(floorCap ?? {})) setPath(tree, ['predictor', key], value);
    if (rules !== undefined) tree.classifier = { rules };
    completeGroups(tree);
    return tree;
  });

interface Broken {
  tree: Tree;
  /** What the message must name: the key path, or the object holding an unknown key. */
  path: string;
  /** Also named, for unknown keys. */
  key?: string;
}

/** Keys whose values can be broken one at a time: every key above, plus the floor and cap pair. */
const BREAKABLE: readonly (readonly [string, string, KeySpec])[] = [
  ...KEYS.map(([section, key]) => [section, key, SPEC[section]![key]!] as const),
  ['predictor', 'floorSeconds', positive()],
  ['predictor', 'capSeconds', positive()],
];

const brokenValue: fc.Arbitrary<Broken> = fc
  .tuple(validConfigs, fc.constantFrom(...BREAKABLE))
  .chain(([tree, [section, key, spec]]) =>
    invalidValue(spec).map((value) => {
      const copy = structuredClone(tree);
      setPath(copy, [section, ...key.split('.')], value);
      completeGroups(copy);
      return { tree: copy, path: `${section}.${key}` };
    }),
  );

const KNOWN = new Set([
  'limits',
  'history',
  'predictor',
  'classifier',
  'output',
  'progress',
  'rules',
  ...KEYS.flatMap(([, k]) => k.split('.')),
]);
const unknownName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,12}$/).filter((name) => !KNOWN.has(name));

const unknownKey: fc.Arbitrary<Broken> = fc
  .tuple(
    validConfigs,
    fc.constantFrom(
      '',
      'limits',
      'history',
      'predictor',
      'output',
      'progress',
      'classifier',
      'predictor.stallFloorSeconds',
      'classifier.rules.0',
    ),
    unknownName,
    fc.integer(),
  )
  .map(([tree, where, name, value]) => {
    const copy = structuredClone(tree);
    if (where === 'classifier.rules.0') copy.classifier = { rules: [{ match: 'x' }] };
    if (where === 'predictor.stallFloorSeconds') {
      setPath(copy, ['predictor', 'stallFloorSeconds', 'build'], 100);
      completeGroups(copy);
    }
    setPath(copy, [...(where === '' ? [] : where.split('.')), name], value);
    return { tree: copy, path: where === '' ? '(top level)' : where, key: name };
  });

const badRegex: fc.Arbitrary<Broken> = fc
  .tuple(validConfigs, fc.array(validRule, { maxLength: 3 }), fc.constantFrom(...BAD_REGEXES), validRule)
  .map(([tree, before, match, rule]) => ({
    tree: { ...tree, classifier: { rules: [...before, { ...rule, match }] } },
    path: `classifier.rules.${before.length}.match`,
  }));

const badRule: fc.Arbitrary<Broken> = fc
  .tuple(
    validConfigs,
    fc.constantFrom('match', 'category', 'complexity', 'kind'),
    fc.oneof(fc.constant(''), fc.integer(), fc.constant(null), fc.constant('agent')),
  )
  .filter(([, field, value]) => !(field !== 'kind' && value === 'agent'))
  .map(([tree, field, value]) => ({
    tree: { ...tree, classifier: { rules: [{ match: 'x', [field]: value }] } },
    path: `classifier.rules.0.${field}`,
  }));

const floorAboveCap: fc.Arbitrary<Broken> = fc
  .tuple(
    validConfigs,
    fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
    fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
  )
  .filter(([, cap, extra]) => cap + extra > cap)
  .map(([tree, cap, extra]) => {
    const copy = structuredClone(tree);
    setPath(copy, ['predictor', 'capSeconds'], cap);
    setPath(copy, ['predictor', 'floorSeconds'], cap + extra);
    return { tree: copy, path: 'predictor.floorSeconds' };
  });

const wrongSection: fc.Arbitrary<Broken> = fc
  .tuple(
    validConfigs,
    fc.constantFrom('limits', 'history', 'predictor', 'output', 'classifier', 'classifier.rules'),
    wrongTypes,
  )
  // A mapping, however odd, is the right type for a section; so is an empty list of rules.
  .filter(([, , value]) => typeof value !== 'object' || value === null || Array.isArray(value))
  .filter(([, where, value]) => !(where === 'classifier.rules' && Array.isArray(value) && value.length === 0))
  .map(([tree, where, value]) => {
    const copy = structuredClone(tree);
    setPath(copy, where.split('.'), value);
    return { tree: copy, path: where };
  });

const SOURCE = 'team/cc-stress.yaml';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function expectRejected(broken: Broken): void {
  const text = stringify(broken.tree);
  let error: unknown;
  try {
    parseConfig(text, SOURCE);
  } catch (caught) {
    error = caught;
  }
  expect(error, text).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  const lines = message.split('\n');
  // Every problem on its own line, with its place in the file; the broken key among them.
  for (const line of lines) expect(line, message).toMatch(new RegExp(`^${escapeRegex(SOURCE)}:\\d+:\\d+: `));
  const named = lines.filter((line) => line.includes(`: ${broken.path}`));
  expect(named.length, `${message}\n--- for ---\n${text}`).toBeGreaterThan(0);
  if (broken.key !== undefined) expect(named.join('\n')).toContain(`"${broken.key}"`);
}

describe('parseConfig on generated files', () => {
  it('accepts every valid file and keeps what it says', () => {
    fc.assert(
      fc.property(validConfigs, (tree) => {
        const config = parseConfig(stringify(tree), SOURCE);
        for (const [section, key] of KEYS) {
          const given = key
            .split('.')
            .reduce<unknown>((node, k) => (node as Tree | undefined)?.[k], tree[section]);
          const parsed = key
            .split('.')
            .reduce<unknown>(
              (node, k) => (node as Tree | undefined)?.[k],
              (config as unknown as Tree)[section],
            );
          if (given !== undefined) expect(parsed).toBe(given);
          else
            expect(parsed).toEqual(
              key
                .split('.')
                .reduce<unknown>(
                  (node, k) => (node as Tree | undefined)?.[k],
                  (configSchema.parse({}) as unknown as Tree)[section],
                ),
            );
        }
        expect(config.predictor.floorSeconds).toBeLessThanOrEqual(config.predictor.capSeconds);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a value of the wrong type or out of range, naming its key', () => {
    fc.assert(fc.property(brokenValue, expectRejected), { numRuns: 1000 });
  });

  it('rejects an unknown key, naming it and where it is', () => {
    fc.assert(fc.property(unknownKey, expectRejected), { numRuns: 300 });
  });

  it('rejects a classifier rule with a bad regular expression or field, naming the rule', () => {
    fc.assert(fc.property(fc.oneof(badRegex, badRule), expectRejected), { numRuns: 300 });
  });

  it('rejects predictor.floorSeconds above predictor.capSeconds', () => {
    fc.assert(fc.property(floorAboveCap, expectRejected), { numRuns: 150 });
  });

  it('rejects a section that is not a mapping', () => {
    fc.assert(fc.property(wrongSection, expectRejected), { numRuns: 200 });
  });
});

describe('parseConfig on hand-written files', () => {
  it.each([
    ['an empty file', ''],
    ['only a comment', '# nothing to change\n'],
    ['an empty section', 'limits: {}\n'],
  ])('accepts %s with the defaults', (_, text) => {
    expect(parseConfig(text, SOURCE)).toEqual(configSchema.parse({}));
  });

  it.each([
    [
      'a YAML syntax error, with its line',
      'limits:\n  graceSeconds: [1\n',
      /^team\/cc-stress\.yaml:\d+:\d+: /,
    ],
    [
      'a duplicated key',
      'limits: {graceSeconds: 1}\nlimits: {graceSeconds: 2}\n',
      /^team\/cc-stress\.yaml:2:1: .*unique/,
    ],
    [
      'two documents',
      'limits: {}\n---\noutput: {}\n',
      /^team\/cc-stress\.yaml:\d+:\d+: .*multiple documents/,
    ],
    ['a scalar document', '42\n', /^team\/cc-stress\.yaml:1:1: \(top level\): .*object.*\(got 42\)/],
    ['a list document', '- limits\n', /^team\/cc-stress\.yaml:1:1: \(top level\): .*object.*\(got a list\)/],
    ['an unresolved alias', 'limits: *nothing\n', /^team\/cc-stress\.yaml: .*alias/i],
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\n${['b', 'c', 'd', 'e', 'f']
        .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`)
        .join('\n')}\n`,
      /^team\/cc-stress\.yaml: .*(alias|resource)/i,
    ],
    ['a string where a number belongs', 'predictor: {alpha: "0.1"}\n', /predictor\.alpha: .*number/],
    ['a tagged string', 'predictor: {alpha: !!str 0.1}\n', /predictor\.alpha: .*number/],
    [
      'a kind group missing a kind',
      'predictor: {stallFloorSeconds: {build: 60}}\n',
      /predictor\.stallFloorSeconds\.llm-agent: /,
    ],
    [
      'an unknown kind in a rule',
      'classifier: {rules: [{match: x, kind: agent}]}\n',
      /classifier\.rules\.0\.kind: /,
    ],
    [
      'a redis URL without a scheme',
      'history: {redisUrl: "localhost:6379"}\n',
      /history\.redisUrl: "localhost:6379" must start with redis:\/\//,
    ],
    [
      'a progress window out of range, with the allowed range',
      'progress: {windowSeconds: 0.5}\n',
      /^team\/cc-stress\.yaml:\d+:\d+: progress\.windowSeconds: must be between 1 and 600 seconds \(got 0\.5\)$/,
    ],
    [
      'a CPU threshold above one core, with the allowed range',
      'progress: {minCpuPercent: 150}\n',
      /progress\.minCpuPercent: must be between 0\.1 and 100 \(% of one core\) \(got 150\)$/,
    ],
    [
      'a regex with a newline in it',
      'classifier: {rules: [{match: "(\\n"}]}\n',
      /classifier\.rules\.0\.match: not a valid regular expression/,
    ],
  ])('rejects %s with its place', (_, text, pattern) => {
    let error: unknown;
    try {
      parseConfig(text, SOURCE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(pattern);
    for (const line of (error as Error).message.split('\n'))
      expect(line).toMatch(/^team\/cc-stress\.yaml[:\d]*: /);
  });

  it('reports every problem at once, each with its line, column and value', () => {
    const text =
      'predictor:\n  capSeconds: 1e300\n  alpha: 7\nlimits: {graceSeconds: -1}\noutput: {colour: red}\n';
    let message = '';
    try {
      parseConfig(text, SOURCE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^team\/cc-stress\.yaml:2:15: predictor\.capSeconds: .*604800.*\(got 1e\+300\)$/),
      expect.stringMatching(/^team\/cc-stress\.yaml:3:10: predictor\.alpha: .*\(got 7\)$/),
      expect.stringMatching(/^team\/cc-stress\.yaml:4:24: limits\.graceSeconds: .*\(got -1\)$/),
      expect.stringMatching(/^team\/cc-stress\.yaml:5:10: output: unknown key "colour"$/),
    ]);
  });
});

describe('readEnv', () => {
  it('reads only its variables, with the defaults when they are unset', () => {
    expect(readEnv({ HOME: '/root', REDIS_URL: 'nonsense', CC_STRESS_OTHER: 'x' })).toEqual({
      configPath: undefined,
      redisUrl: undefined,
      historyPath: undefined,
      ci: false,
      noColor: false,
      github: { actions: false },
    });
    expect(
      readEnv({
        CC_STRESS_CONFIG: 'conf/stress.yaml',
        CC_STRESS_REDIS_URL: 'rediss://u:p@cache:6380/1',
        CC_STRESS_HISTORY: '/data/h.db',
      }),
    ).toMatchObject({
      configPath: 'conf/stress.yaml',
      redisUrl: 'rediss://u:p@cache:6380/1',
      historyPath: '/data/h.db',
    });
  });

  it.each([
    ['CC_STRESS_CONFIG', '', /^CC_STRESS_CONFIG is set but empty/],
    ['CC_STRESS_CONFIG', '   ', /^CC_STRESS_CONFIG is set but empty/],
    ['CC_STRESS_HISTORY', '', /^CC_STRESS_HISTORY is set but empty/],
    ['CC_STRESS_REDIS_URL', '', /^CC_STRESS_REDIS_URL is set but empty/],
    ['CC_STRESS_REDIS_URL', '\t', /^CC_STRESS_REDIS_URL is set but empty/],
    [
      'CC_STRESS_REDIS_URL',
      'localhost:6379',
      /^CC_STRESS_REDIS_URL: "localhost:6379" must start with redis:\/\//,
    ],
    ['CC_STRESS_REDIS_URL', '127.0.0.1:6379', /^CC_STRESS_REDIS_URL: .* is not a URL; expected redis:\/\//],
    ['CC_STRESS_REDIS_URL', 'http://cache:6379', /^CC_STRESS_REDIS_URL: .*must start with redis:\/\//],
    ['CC_STRESS_REDIS_URL', 'redis//cache', /^CC_STRESS_REDIS_URL: .*not a URL/],
    ['CC_STRESS_REDIS_URL', 'cache', /^CC_STRESS_REDIS_URL: .*not a URL/],
    ['CC_STRESS_REDIS_URL', 'redis://', /^CC_STRESS_REDIS_URL: "redis:\/\/" names no host/],
    ['CC_STRESS_REDIS_URL', 'redis:6379', /^CC_STRESS_REDIS_URL: "redis:6379" names no host/],
    [
      'CC_STRESS_REDIS_URL',
      'redis://h:6379/abc',
      /^CC_STRESS_REDIS_URL: "\/abc" is not a database number.*0\.\.15/,
    ],
    [
      'CC_STRESS_REDIS_URL',
      'redis://h:6379/99999',
      /^CC_STRESS_REDIS_URL: "\/99999" is not a database number/,
    ],
    ['CC_STRESS_REDIS_URL', 'redis://h:6379/1/2', /not a database number/],
    ['CC_STRESS_REDIS_URL', 'redis://h:0', /port 0 is not a port/],
  ])('%s=%j is an error that names the variable', (name, value, pattern) => {
    expect(() => readEnv({ [name]: value })).toThrow(ConfigError);
    expect(() => readEnv({ [name]: value })).toThrow(pattern);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['', false],
    ['0', false],
    ['false', false],
    ['FALSE', false],
  ])('CI=%j means ci %s', (value, ci) => {
    expect(readEnv({ CI: value }).ci).toBe(ci);
  });

  it.each([
    ['1', true],
    ['', false],
  ])('NO_COLOR=%j means noColor %s', (value, noColor) => {
    expect(readEnv({ NO_COLOR: value }).noColor).toBe(noColor);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-stress-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names CC_STRESS_CONFIG when the file it points at cannot be read', () => {
    expect(() => loadConfig({ env: { CC_STRESS_CONFIG: join(dir, 'missing.yaml') } })).toThrow(
      /^CC_STRESS_CONFIG \(.*missing\.yaml\): cannot read the config file: ENOENT/,
    );
    expect(() => loadConfig({ configPath: dir, env: {} })).toThrow(/: cannot read the config file: EISDIR/);
  });

  it('lets the environment override the file, and checks the file first', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'history: {redisUrl: "redis://from-file", path: /from/file.db}\n');
    const loaded = loadConfig({ configPath: file, env: { CC_STRESS_REDIS_URL: 'redis://from-env' } });
    expect(loaded.redisUrl).toBe('redis://from-env');
    expect(loaded.historyPath).toBe('/from/file.db');
    writeFileSync(file, 'history: {redisUrl: "cache:6379"}\n');
    expect(() => loadConfig({ configPath: file, env: { CC_STRESS_REDIS_URL: 'redis://from-env' } })).toThrow(
      /config\.yaml:\d+:\d+: history\.redisUrl: /,
    );
  });
});
