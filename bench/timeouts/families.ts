import {
  BASE_WORKLOAD,
  CLASSES,
  type ClassSpec,
  DEFAULT_RATES,
  type HangKind,
  type WorkloadSpec,
} from './workload.js';

/**
 * The workload families the benchmark replays, each on its own fresh history. The original workload
 * stays first; each other family changes one thing a real user's history has and the original does not,
 * so a target it misses names its cause.
 */
export interface Family extends WorkloadSpec {
  id: string;
  /** One line for people. */
  title: string;
  /** Runs in a default and in a --quick replay. */
  runs: { full: number; quick: number };
  /** Whether the learned baselines and the what-if variant run too (only on the original workload). */
  baselines?: boolean;
  /** The demo suite's simulated-agent runs recorded into the same history, as four demo runs would. */
  demo?: { before: number; every: number };
}

const claudeArgs = ['--output-format', 'stream-json', '--verbose'];
const FULL = 6000;
const QUICK = 1200;

const TOPICS = [
  'a lighthouse',
  'a lost key',
  'the last train',
  'a chess match',
  'a garden in winter',
  'a broken clock',
  'two rival bakers',
  'a city without maps',
  'an old violin',
  'a robot learning to paint',
  'a desert well',
  'the first snow',
  'a ship in a bottle',
  'a quiet library',
  'a stolen recipe',
  'a bridge at night',
] as const;
const FILES = [
  'src/parser.ts',
  'src/lexer.ts',
  'src/cache/lru.ts',
  'src/http/server.ts',
  'src/db/pool.ts',
  'lib/auth.py',
  'lib/jobs/queue.py',
  'cmd/main.go',
  'internal/store/kv.go',
  'app/models/user.rb',
  'src/render.rs',
  'src/net/retry.ts',
  'src/cli/args.ts',
  'tests/test_api.py',
  'src/scheduler.ts',
  'pkg/log/log.go',
] as const;
const SYMBOLS = [
  'parseArgs',
  'retryWithBackoff',
  'LruCache',
  'openPool',
  'render',
  'Scheduler.tick',
  'authorize',
  'flush',
];
const WORDS = [300, 1000, 2500, 5000] as const;
const STYLES = [
  '',
  ' in the first person',
  ' for children',
  ' as a letter',
  ' in present tense',
  ' with a twist ending',
] as const;

/** Agent classes whose prompts differ on nearly every run: their fingerprint levels stay thin. */
export const THIN_CLASSES: readonly ClassSpec[] = [
  {
    id: 'story',
    shape: 'agent',
    agent: 'claude',
    // A 1000-word story takes about 4 minutes; the variant scales it (300 words: ~1.2 min, 5000: ~20 min).
    medianS: 240,
    sigma: 0.4,
    weight: 0.25,
    appearsAt: 0,
    phases: { stream: 0.9, shortTool: 0.1, longTool: 0 },
    variants: {
      count: WORDS.length * TOPICS.length * STYLES.length,
      scale: (v) => WORDS[v % WORDS.length]! / 1000,
    },
    argv: (_rng, v = 0) => [
      'claude',
      '-p',
      `Write a ${WORDS[v % WORDS.length]} word story about ${TOPICS[Math.floor(v / WORDS.length) % TOPICS.length]}` +
        STYLES[Math.floor(v / (WORDS.length * TOPICS.length))],
      ...claudeArgs,
    ],
  },
  {
    id: 'fix',
    shape: 'agent',
    agent: 'claude',
    medianS: 200,
    sigma: 0.8,
    weight: 0.25,
    appearsAt: 0,
    phases: { stream: 0.45, shortTool: 0.35, longTool: 0.2 },
    variants: { count: FILES.length * 8, scale: (v) => [0.5, 1, 2][v % 3]! },
    argv: (_rng, v = 0) => [
      'claude',
      '-p',
      `Fix the failing test in ${FILES[v % FILES.length]} (case ${Math.floor(v / FILES.length) + 1}) and explain the cause`,
      ...claudeArgs,
    ],
  },
  {
    id: 'explain',
    shape: 'agent',
    agent: 'codex',
    medianS: 60,
    sigma: 0.6,
    weight: 0.15,
    appearsAt: 0,
    phases: { stream: 0.8, shortTool: 0.2, longTool: 0 },
    variants: { count: SYMBOLS.length * FILES.length, scale: () => 1 },
    argv: (_rng, v = 0) => [
      'codex',
      'exec',
      '--json',
      `Explain ${SYMBOLS[v % SYMBOLS.length]} in ${FILES[Math.floor(v / SYMBOLS.length)]}`,
    ],
  },
  {
    id: 'review',
    shape: 'agent',
    agent: 'gemini',
    medianS: 300,
    sigma: 0.7,
    weight: 0.1,
    appearsAt: 0,
    phases: { stream: 0.55, shortTool: 0.35, longTool: 0.1 },
    variants: { count: FILES.length, scale: () => 1 },
    argv: (_rng, v = 0) => ['gemini', '-p', `Review ${FILES[v]} for concurrency bugs`, '-o', 'stream-json'],
  },
  CLASSES.find((c) => c.id === 'build')!,
  CLASSES.find((c) => c.id === 'test')!,
];

const base = (id: string): ClassSpec => CLASSES.find((c) => c.id === id)!;

/** Heavy tails: log-sigma well above 1, and Pareto tails (a few runs 10-50x the typical one). */
const HEAVY_CLASSES: readonly ClassSpec[] = [
  { ...base('agent-explain'), sigma: 1.2 },
  { ...base('agent-code'), durations: { type: 'pareto', minS: 90, shape: 1.3, capS: 4 * 3600 } },
  { ...base('agent-essay'), sigma: 1.0 },
  { ...base('agent-review'), sigma: 1.4 },
  { ...base('build'), durations: { type: 'pareto', minS: 60, shape: 1.6, capS: 2 * 3600 } },
  { ...base('test'), sigma: 0.9 },
];

/** Two modes: a cache hit or an incremental build most of the time, the full job now and then. */
const BIMODAL_CLASSES: readonly ClassSpec[] = [
  {
    ...base('agent-explain'),
    durations: { type: 'bimodal', slowShare: 0.15, slowMedianS: 900, slowSigma: 0.3 },
  },
  {
    ...base('agent-code'),
    durations: { type: 'bimodal', slowShare: 0.2, slowMedianS: 2400, slowSigma: 0.3 },
  },
  base('agent-essay'),
  {
    ...base('agent-review'),
    durations: { type: 'bimodal', slowShare: 0.1, slowMedianS: 1500, slowSigma: 0.4 },
  },
  {
    ...base('build'),
    medianS: 30,
    durations: { type: 'bimodal', slowShare: 0.15, slowMedianS: 720, slowSigma: 0.2 },
  },
  { ...base('test'), durations: { type: 'bimodal', slowShare: 0.1, slowMedianS: 480, slowSigma: 0.25 } },
];

/**
 * Classes that appear late, when the general levels they share (the `claude -p` verb, the `cargo` tool,
 * the agent kind) are already full of much shorter runs.
 */
const LATE_CLASSES: readonly ClassSpec[] = [
  ...CLASSES.filter((c) => c.id !== 'agent-review'),
  {
    id: 'late-plan',
    shape: 'agent',
    agent: 'claude',
    medianS: 1500,
    sigma: 0.4,
    weight: 0.15,
    appearsAt: 0.5,
    phases: { stream: 0.6, shortTool: 0.2, longTool: 0.2 },
    argv: () => [
      'claude',
      '-p',
      'Write a step-by-step migration plan from MySQL 5.7 to PostgreSQL 16',
      ...claudeArgs,
    ],
  },
  {
    id: 'late-cargo-test',
    shape: 'test',
    agent: 'none',
    medianS: 900,
    sigma: 0.3,
    weight: 0.15,
    appearsAt: 0.65,
    argv: () => ['cargo', 'test', '--release', '--workspace'],
  },
  {
    id: 'late-gemini',
    shape: 'agent',
    agent: 'gemini',
    medianS: 700,
    sigma: 0.5,
    weight: 0.2,
    appearsAt: 0.8,
    phases: { stream: 0.7, shortTool: 0.2, longTool: 0.1 },
    argv: () => [
      'gemini',
      '-p',
      'Translate the user guide into German and keep the markdown',
      '-o',
      'stream-json',
    ],
  },
];

const lateAgent = (
  id: string,
  appearsAt: number,
  medianS: number,
  argv: (prompt: string) => string[],
): ClassSpec => ({
  id,
  shape: 'agent',
  agent: 'none',
  medianS,
  sigma: 0.5,
  weight: 0.1,
  appearsAt,
  phases: { stream: 0.5, shortTool: 0.3, longTool: 0.2 },
  variants: { count: FILES.length, scale: () => 1 },
  argv: (_rng, v = 0) => argv(`Add input validation to ${FILES[v]} and cover it with tests`),
});

/**
 * A user's own agent work, where each new agent CLI starts with nothing but the general levels: the
 * kind level the demo's 0.3-8 s simulated-agent runs were recorded under.
 */
const DEMO_MIX_CLASSES: readonly ClassSpec[] = [
  ...THIN_CLASSES,
  lateAgent('aider', 0.3, 480, (p) => ['aider', '--yes-always', '--message', p]),
  lateAgent('goose', 0.55, 600, (p) => ['goose', 'run', '-t', p]),
  lateAgent('qwen', 0.8, 420, (p) => ['qwen', '-p', p]),
];

const hangFamily = (kind: HangKind, id: string, title: string): Family => ({
  ...BASE_WORKLOAD,
  id,
  title,
  rates: { ...DEFAULT_RATES, idleWaits: true },
  hangKinds: [kind],
  runs: { full: FULL, quick: QUICK },
});

/** The original workload, with every baseline strategy. */
export const ORIGINAL: Family = {
  ...BASE_WORKLOAD,
  id: 'original',
  title: 'the original workload: six classes, log-normal, one late class, a x2 step, four hang kinds',
  runs: { full: 20_000, quick: 2400 },
  baselines: true,
};

export const FAMILIES: readonly Family[] = [
  ORIGINAL,
  {
    ...BASE_WORKLOAD,
    id: 'heavy-tail',
    title: 'heavy-tailed durations: log-sigma 0.9-1.4 and Pareto tails',
    classes: HEAVY_CLASSES,
    rates: { ...DEFAULT_RATES, idleWaits: true },
    runs: { full: FULL, quick: QUICK },
  },
  {
    ...BASE_WORKLOAD,
    id: 'bimodal',
    title: 'bimodal durations: 10-20% of runs in a slow mode 10-40x the fast one',
    classes: BIMODAL_CLASSES,
    rates: { ...DEFAULT_RATES, idleWaits: true },
    runs: { full: FULL, quick: QUICK },
  },
  {
    id: 'thin-prompts',
    title: 'prompts that vary on nearly every run: fingerprint levels stay thin',
    classes: THIN_CLASSES,
    rates: { ...DEFAULT_RATES, idleWaits: true },
    hangKinds: BASE_WORKLOAD.hangKinds,
    runs: { full: FULL, quick: QUICK },
  },
  {
    ...BASE_WORKLOAD,
    id: 'late-classes',
    title: 'long classes that first appear half-way or later, under verbs full of short runs',
    classes: LATE_CLASSES,
    rates: { ...DEFAULT_RATES, idleWaits: true },
    runs: { full: FULL, quick: QUICK },
  },
  hangFamily('before-output', 'hang-silent', 'every hang silent from the start (no output, CPU or I/O)'),
  hangFamily('spinner', 'hang-spinner', 'every hang prints a spinner frame every 5 s'),
  hangFamily('keep-alive', 'hang-keep-alive', 'every hang sends keep-alives (agents) or one "waiting" line'),
  hangFamily(
    'net-wait',
    'hang-net-wait',
    'every hang waits on a dead stream: ~8 B/s of I/O, a CPU tick now and then',
  ),
  hangFamily('decay', 'hang-decay', 'every hang prints ever more slowly, each gap 1.3x the last'),
  {
    ...BASE_WORKLOAD,
    id: 'failing-store',
    title: 'history lookups fail (error or timeout) for stretches covering ~30% of the runs',
    rates: { ...DEFAULT_RATES, idleWaits: true },
    storeFailure: { share: 0.3, minRuns: 40, maxRuns: 400 },
    runs: { full: FULL, quick: QUICK },
  },
  {
    id: 'demo-mix',
    title:
      "the demo suite's simulated-agent runs in a user's history (4 demo runs first, one every 500); new agent CLIs appear later",
    classes: DEMO_MIX_CLASSES,
    rates: { ...DEFAULT_RATES, idleWaits: true },
    hangKinds: BASE_WORKLOAD.hangKinds,
    demo: { before: 4, every: 500 },
    runs: { full: FULL, quick: QUICK },
  },
];

export function familyById(id: string): Family | undefined {
  return FAMILIES.find((f) => f.id === id);
}
