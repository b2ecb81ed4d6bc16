import type { Arg } from '../command/args.js';
import type { TaskKind } from '../config.js';

/**
 * Category and complexity of a task from what it asks for: requested sizes ("5000 words", "20 files"),
 * lists of items and keywords in an agent's prompt; parallelism and scope flags of a build or test.
 * Only prompt text is searched for sizes, so a flag value such as `-j 8` is never read as one.
 */

export const COMPLEXITIES = ['low', 'medium', 'high', 'extreme'] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

export interface Judgement {
  category: string;
  complexity: Complexity;
  /** Short lines saying which signal decided what. */
  reasons: string[];
}

export interface PromptSignals {
  /** Largest requested size, converted to an estimate of words of output. */
  requestedWords?: number;
  /** The size as written, e.g. "5000 words". */
  requestedText?: string;
  /** Whether that size is prose (words, pages, chapters) rather than code (files, functions, tests). */
  requestedProse?: boolean;
  /** Items in numbered or bulleted lists. */
  items: number;
}

/** Prompts can be huge; signals in the first 64 KiB are plenty and keep classification fast. */
const SCAN_LIMIT = 64 * 1024;

/** Rough words of output per requested unit. */
const UNIT_WORDS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^words?$/, 1],
  [/^tokens?$/, 0.75],
  [/^(lines?|loc)$/, 8],
  [/^sentences?$/, 20],
  [/^paragraphs?$/, 100],
  [/^pages?$/, 400],
  [/^sections?$/, 400],
  [/^chapters?$/, 3000],
  [/^files?$/, 300],
  [/^(functions?|methods?)$/, 120],
  [/^(class|classes)$/, 300],
  [/^modules?$/, 500],
  [/^components?$/, 300],
  [/^(endpoints?|routes?)$/, 200],
  [/^(tests?|test cases?|unit tests?)$/, 80],
  [/^examples?$/, 100],
  [/^(items?|entries|questions?|ideas?)$/, 40],
  [/^(sub-?)?steps?$/, 150],
  [/^(tasks?|agents?|sub-?agents?)$/, 400],
];

const UNIT_PATTERN =
  'words?|tokens?|lines?(?: of code)?|loc|sentences?|paragraphs?|pages?|sections?|chapters?|files?|functions?|methods?|class(?:es)?|modules?|components?|endpoints?|routes?|unit tests?|test cases?|tests?|examples?|items?|entries|questions?|ideas?|sub-?steps?|steps?|tasks?|sub-?agents?|agents?';

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  hundred: 100,
  thousand: 1000,
  dozen: 12,
};

// Quantifiers are bounded ({0,3}) so that long runs of spaces or dashes cannot make matching quadratic.
const SIZE = new RegExp(
  `\\b(\\d[\\d,]{0,12}(?:\\.\\d+)?(?: ?k)?|(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)\\s{1,3})?(?:hundred|thousand|dozen)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)[\\s-]{0,3}(?:[a-z][\\w/-]{0,19}\\s{1,3})?(${UNIT_PATTERN})\\b`,
  'gi',
);

const PROSE_UNIT = /^(words?|tokens?|sentences?|paragraphs?|pages?|sections?|chapters?)$/i;

function parseAmount(raw: string): number {
  const text = raw.trim().toLowerCase();
  const digits = /^(\d[\d,]*(?:\.\d+)?)\s*(k?)$/.exec(text);
  if (digits) return Number(digits[1]!.replace(/,/g, '')) * (digits[2] === 'k' ? 1000 : 1);
  let total = 1;
  for (const part of text.split(/\s+/)) total *= NUMBER_WORDS[part] ?? 1;
  return total;
}

function unitWords(unit: string): number {
  const u = unit.toLowerCase().replace(/ of code$/, '');
  for (const [pattern, words] of UNIT_WORDS) if (pattern.test(u)) return words;
  return 40;
}

export function promptSignals(prompt: string): PromptSignals {
  const text = prompt.length > SCAN_LIMIT ? prompt.slice(0, SCAN_LIMIT) : prompt;
  let requestedWords: number | undefined;
  let requestedText: string | undefined;
  let requestedProse: boolean | undefined;
  for (const m of text.matchAll(SIZE)) {
    const amount = parseAmount(m[1]!);
    if (!Number.isFinite(amount) || amount <= 0) continue;
    const words = amount * unitWords(m[2]!);
    if (requestedWords === undefined || words > requestedWords) {
      requestedWords = words;
      requestedText = m[0].trim();
      requestedProse = PROSE_UNIT.test(m[2]!);
    }
  }
  const numbered = (text.match(/^[ \t]*\d{1,3}[.)][ \t]+\S/gm) ?? []).length;
  const bullets = (text.match(/^[ \t]*[-*\u2022][ \t]+\S/gm) ?? []).length;
  const inline = new Set<string>();
  for (const m of text.matchAll(/(?:^|\s)\(?(\d{1,2})\)\s/g)) inline.add(m[1]!);
  return { requestedWords, requestedText, requestedProse, items: Math.max(numbered, bullets, inline.size) };
}

const PARALLEL =
  /\b(in parallel|parallel(?:ly|i[sz]e)?|concurrent(?:ly)?|simultaneous(?:ly)?|at the same time|sub-?agents?|multiple agents|(?:spawn|launch|run|start) (?:\d+|two|three|four|five|six|ten|several|multiple) (?:\w+ )?(?:agents|tasks|workers|jobs))\b/i;
const ORCHESTRATION =
  /\b(orchestrat\w*|coordinat\w*|multi-?step|step[- ]by[- ]step|pipeline|workflow|end[- ]to[- ]end|plan (?:and|then) (?:execute|implement)|plan (?:the|a|an|out|how)|(?:sub-?)?steps? \d|\d+ (?:sub-?)?steps|delegate|hand off)\b/i;
const SEQUENCE = /\b(then|after that|next,|finally|step \d|first,)\b/i;
const LONG_FORM =
  /\b(essay|story|stories|novel|novella|chapters?|book|article|report|documentation|docs|tutorial|guide|whitepaper|manual|specification|spec|screenplay|thesis)\b/i;
const LONG_ADJECTIVE = /\b(long|lengthy|detailed|comprehensive|full|complete|in-depth|extensive|thorough)\b/i;
const CODE =
  /\b(implement|write|create|build|generate|scaffold|add|code|port|refactor|fix|rewrite|convert|translate|migrate)\b[^\n]{0,60}?\b(code|function|class|module|program|script|app|application|api|server|service|cli|component|endpoint|library|tests?|test suite|feature|website|game|parser|bug|compiler|interpreter|database|schema|migration|codebase)\b/i;
const ANALYSIS =
  /\b(review|analy[sz]e|analysis|audit|explain|summari[sz]e|investigate|find (?:the )?(?:bugs?|issues?)|assess|compare|evaluate|diagnose|profile)\b/i;

const EXTREME_WORDS =
  /\b(exhaustive(?:ly)?|every (?:single )?file|all (?:the )?files|(?:entire|whole) (?:code ?base|repo(?:sitory)?|monorepo|project)|operating system)\b/i;
/** Building a whole program is more than a one-line fix even when the prompt is short. */
const MEDIUM_WORDS =
  /(?<![\w/.-])(app|application|service|server|website|web site|game|library|compiler|interpreter|rest api)(?![\w/.-])/i;
const HIGH_WORDS =
  /\b(comprehensive|thorough(?:ly)?|in-depth|detailed|production[- ]ready|full[- ]stack|from scratch|complete (?:implementation|application|app|project)|refactor|migrate|end[- ]to[- ]end|extensive)\b/i;

function rank(c: Complexity): number {
  return COMPLEXITIES.indexOf(c);
}

export function maxComplexity(a: Complexity, b: Complexity): Complexity {
  return rank(a) >= rank(b) ? a : b;
}

function sizeComplexity(words: number): Complexity {
  if (words >= 10_000) return 'extreme';
  if (words >= 2_500) return 'high';
  if (words >= 600) return 'medium';
  return 'low';
}

function itemComplexity(items: number): Complexity {
  if (items >= 20) return 'extreme';
  if (items >= 8) return 'high';
  if (items >= 3) return 'medium';
  return 'low';
}

function lengthComplexity(chars: number): Complexity {
  if (chars >= 24_000) return 'extreme';
  if (chars >= 6_000) return 'high';
  if (chars >= 1_500) return 'medium';
  return 'low';
}

function quote(m: RegExpExecArray | null): string {
  return m === null ? '' : `"${m[0].toLowerCase()}"`;
}

/** Category and complexity of an agent prompt. */
export function judgePrompt(prompt: string): Judgement {
  const text = prompt.length > SCAN_LIMIT ? prompt.slice(0, SCAN_LIMIT) : prompt;
  const signals = promptSignals(text);
  const reasons: string[] = [];

  let complexity: Complexity = lengthComplexity(prompt.length);
  if (complexity !== 'low') reasons.push(`prompt of ${prompt.length} characters → ${complexity}`);
  if (signals.requestedWords !== undefined) {
    const bySize = sizeComplexity(signals.requestedWords);
    reasons.push(
      `asks for ${signals.requestedText} (≈${Math.round(signals.requestedWords)} words) → ${bySize}`,
    );
    complexity = maxComplexity(complexity, bySize);
  }
  if (signals.items >= 3) {
    const byItems = itemComplexity(signals.items);
    reasons.push(`lists ${signals.items} items → ${byItems}`);
    complexity = maxComplexity(complexity, byItems);
  }
  const extreme = EXTREME_WORDS.exec(text);
  const high = extreme === null ? HIGH_WORDS.exec(text) : null;
  if (extreme !== null) {
    reasons.push(`keyword ${quote(extreme)} → extreme`);
    complexity = 'extreme';
  } else if (high !== null) {
    reasons.push(`keyword ${quote(high)} → high`);
    complexity = maxComplexity(complexity, 'high');
  }

  const parallel = PARALLEL.exec(text);
  const orchestration = ORCHESTRATION.exec(text);
  const longForm = LONG_FORM.exec(text);
  const bigProse = signals.requestedProse === true && (signals.requestedWords ?? 0) >= 1500;
  let category = 'simple';
  if (parallel !== null) {
    category = 'parallel';
    reasons.push(`keyword ${quote(parallel)} → parallel`);
  } else if (orchestration !== null) {
    category = 'orchestration';
    reasons.push(`keyword ${quote(orchestration)} → orchestration`);
  } else if (signals.items >= 3 && SEQUENCE.test(text)) {
    category = 'orchestration';
    reasons.push(`${signals.items} steps in sequence → orchestration`);
  } else if (bigProse || (longForm !== null && LONG_ADJECTIVE.test(text))) {
    category = 'long-generation';
    reasons.push(
      bigProse
        ? `asks for ${signals.requestedText} → long-generation`
        : `long-form ${quote(longForm)} → long-generation`,
    );
  } else if (CODE.test(text) || (signals.requestedWords !== undefined && !signals.requestedProse)) {
    category = 'code-generation';
    reasons.push('asks to write or change code → code-generation');
    const whole = MEDIUM_WORDS.exec(text);
    if (whole !== null && complexity === 'low') {
      complexity = 'medium';
      reasons.push(`builds a whole ${whole[0].toLowerCase()} → medium`);
    }
  } else if (ANALYSIS.test(text)) {
    category = 'analysis';
    reasons.push(`keyword ${quote(ANALYSIS.exec(text))} → analysis`);
  }
  return { category, complexity, reasons };
}

const PARALLEL_FLAGS = new Set([
  '-j',
  '--jobs',
  '-n',
  '--numprocesses',
  '-parallel',
  '--parallel',
  '-T',
  '--threads',
  '-w',
  '--maxWorkers',
  '--max-workers',
  '--workers',
  '--concurrency',
  '--workspace-concurrency',
  '--test-threads',
]);
/** Flags that may stand alone and still mean "in parallel" (`make -j`, `pnpm --parallel`). */
const PARALLEL_ALONE = new Set(['-j', '--jobs', '--parallel']);
const BROAD_FLAGS = new Set([
  '--release',
  '--recursive',
  '--workspace',
  '--workspaces',
  '--ws',
  '--all',
  '--all-targets',
  '--all-features',
  '-race',
  '--no-cache',
  '--prod',
  '--production',
  '--coverage',
  '--cov',
  '-cover',
]);
/** Flags that widen the work only for some tools (`pnpm -r`, `gcc -O3`). */
const BROAD_FLAGS_BY_TOOL: Readonly<Record<string, readonly string[]>> = {
  pnpm: ['-r'],
  yarn: ['-r'],
  npm: ['-r'],
  gcc: ['-O2', '-O3'],
  'g++': ['-O2', '-O3'],
  clang: ['-O2', '-O3'],
  'clang++': ['-O2', '-O3'],
};
/** Flags that select part of the work, by kind: test filters and package filters mean different flags. */
const NARROW_FLAGS: Readonly<Record<TaskKind, ReadonlySet<string>>> = {
  test: new Set([
    '-k',
    '-run',
    '-t',
    '--testNamePattern',
    '-g',
    '--grep',
    '-R',
    '--filter',
    '--lib',
    '--test',
  ]),
  build: new Set(['--filter', '--package', '--bin', '--lib']),
  other: new Set(),
  'llm-agent': new Set(),
};
/** Flags that select part of the work only for some tools (`cargo -p crate`). */
const NARROW_FLAGS_BY_TOOL: Readonly<Record<string, readonly string[]>> = { cargo: ['-p'], pnpm: ['-F'] };

function parallelism(a: Arg): string | undefined {
  if (a.type !== 'flag' || !PARALLEL_FLAGS.has(a.name)) return undefined;
  if (a.value === undefined) return PARALLEL_ALONE.has(a.name) ? a.name : undefined;
  if (a.value === 'auto' || a.value === 'logical' || Number(a.value) > 1) return `${a.name} ${a.value}`;
  return undefined;
}

const KIND_CATEGORY: Readonly<Record<TaskKind, string>> = {
  build: 'build',
  test: 'test',
  other: 'simple',
  'llm-agent': 'simple',
};

/** Category and complexity of a build, test or other command, from its flags and scope. */
export function judgeCommand(kind: TaskKind, tool: string, args: readonly Arg[]): Judgement {
  const reasons: string[] = [];
  let category = KIND_CATEGORY[kind];
  for (const a of args) {
    const p = parallelism(a);
    if (p !== undefined) {
      category = 'parallel';
      reasons.push(`${p} runs jobs in parallel → parallel`);
      break;
    }
  }
  let level = kind === 'other' ? 0 : 1;
  const isBroad = (name: string): boolean =>
    BROAD_FLAGS.has(name) || (BROAD_FLAGS_BY_TOOL[tool]?.includes(name) ?? false);
  const isNarrow = (name: string): boolean =>
    NARROW_FLAGS[kind].has(name) || (NARROW_FLAGS_BY_TOOL[tool]?.includes(name) ?? false);
  const broad =
    kind === 'other'
      ? undefined
      : args.find(
          (a) => (a.type === 'flag' && isBroad(a.name)) || (a.type === 'word' && a.text.endsWith('/...')),
        );
  const narrow = args.find((a) => a.type === 'flag' && a.value !== undefined && isNarrow(a.name));
  if (broad !== undefined) {
    level++;
    reasons.push(`${broad.type === 'flag' ? broad.name : broad.text} widens the work → higher complexity`);
  }
  if (narrow !== undefined && narrow.type === 'flag') {
    level--;
    reasons.push(`${narrow.name} ${narrow.value} selects part of the work → lower complexity`);
  }
  const complexity = COMPLEXITIES[Math.max(0, Math.min(2, level))]!;
  return { category, complexity, reasons };
}
