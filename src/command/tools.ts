import type { TaskKind } from '../config.js';
import { type Arg, type ArgRules, parseArgs } from './args.js';

/**
 * What the classifier knows about build, test and general command-line tools: how to find the verb
 * (`npm run build`, `cargo test`, `make check`) and what kind of work it is.
 */

export interface ToolCommand {
  /** Tool plus its verb, e.g. `cargo test`, `npm run build`, `pytest`. */
  verb: string;
  kind: TaskKind;
  /** One short line: why this kind. */
  kindReason: string;
  args: Arg[];
  /** Indices into `args` of the words that make up the verb (kept verbatim in templates). */
  verbIndices: ReadonlySet<number>;
}

type SubTable = Readonly<Record<string, readonly [canonical: string, kind: TaskKind]>>;

interface SubcommandTool {
  style: 'subcommand';
  subs: SubTable;
  /** Kind when there is no subcommand or an unknown one. */
  otherwise: TaskKind;
  /** Subcommands that take a further subcommand (`docker compose build`). */
  nested?: Readonly<Record<string, SubTable>>;
  rules?: ArgRules;
}
interface SingleTool {
  style: 'single';
  kind: TaskKind;
  rules?: ArgRules;
}
/** Runs named targets or tasks whose names say what they do (`make test`, `gradle build`). */
interface TargetTool {
  style: 'target';
  otherwise: TaskKind;
  rules?: ArgRules;
  /** Which target names the verb: the first (make) or the last (mvn clean install). */
  pick: 'first' | 'last';
}
/** Package-manager script runners: `npm test`, `npm run X`, `pnpm X`. */
interface ScriptTool {
  style: 'scripts';
  builtins: SubTable;
  /** Whether `pnpm build` runs the script `build` (pnpm, yarn, bun) or is an error (npm). */
  bareScripts: boolean;
  rules?: ArgRules;
}
/** Interpreters running a script: the script's name is the verb (`python train.py`). */
interface InterpreterTool {
  style: 'interpreter';
  rules?: ArgRules;
}
/** Commands with no verb and nothing to learn from their arguments (`sleep 5`). */
interface PlainTool {
  style: 'plain';
  kind: TaskKind;
}
type ToolSpec = SubcommandTool | SingleTool | TargetTool | ScriptTool | InterpreterTool | PlainTool;

const set = (...names: string[]): ReadonlySet<string> => new Set(names);

const INSTALL = ['install', 'build'] as const;
const TEST = ['test', 'test'] as const;
const START = ['start', 'other'] as const;

const NPM_BUILTINS: SubTable = {
  test: TEST,
  t: TEST,
  tst: TEST,
  start: START,
  install: INSTALL,
  i: INSTALL,
  in: INSTALL,
  ci: INSTALL,
  'clean-install': INSTALL,
  'install-clean': INSTALL,
  add: INSTALL,
  pack: ['pack', 'build'],
  publish: ['publish', 'other'],
  audit: ['audit', 'other'],
  update: ['update', 'build'],
  up: ['update', 'build'],
  outdated: ['outdated', 'other'],
  ls: ['ls', 'other'],
};

const NPM_RULES: ArgRules = {
  valueFlags: set(
    '-w',
    '--workspace',
    '--prefix',
    '-C',
    '--dir',
    '--cache',
    '--registry',
    '--loglevel',
    '--filter',
    '-F',
    '--cwd',
    '--reporter',
    '--workspace-concurrency',
    '--userconfig',
  ),
};

const CARGO_RULES: ArgRules = {
  valueFlags: set(
    '-p',
    '--package',
    '-j',
    '--jobs',
    '-F',
    '--features',
    '--target',
    '--target-dir',
    '--manifest-path',
    '--bin',
    '--example',
    '--test',
    '--bench',
    '--profile',
    '-Z',
    '--color',
    '--message-format',
    '--config',
    '--exclude',
    '--test-threads',
  ),
};

const GO_RULES: ArgRules = {
  noAttachedShort: true,
  valueFlags: set(
    '-run',
    '-count',
    '-p',
    '-timeout',
    '-tags',
    '-o',
    '-bench',
    '-benchtime',
    '-parallel',
    '-coverprofile',
    '-covermode',
    '-coverpkg',
    '-cpu',
    '-ldflags',
    '-gcflags',
    '-mod',
    '-C',
    '-exec',
    '-list',
    '-skip',
    '-shuffle',
    '-modfile',
    '-overlay',
    '-pgo',
  ),
};

const DOCKER_RULES: ArgRules = {
  valueFlags: set(
    '-H',
    '--host',
    '--context',
    '--config',
    '-l',
    '--log-level',
    '-t',
    '--tag',
    '-f',
    '--file',
    '--build-arg',
    '--target',
    '--platform',
    '--cache-from',
    '--cache-to',
    '--progress',
    '--network',
    '--secret',
    '--ssh',
    '--label',
    '-o',
    '--output',
    '-p',
    '--project-name',
    '--profile',
    '--env-file',
    '-e',
    '--env',
    '-v',
    '--volume',
    '-w',
    '--workdir',
    '--name',
    '--entrypoint',
    '-u',
    '--user',
    '--builder',
  ),
};

const MAKE_RULES: ArgRules = {
  valueFlags: set(
    '-C',
    '--directory',
    '-f',
    '--file',
    '--makefile',
    '-I',
    '--include-dir',
    '-o',
    '--old-file',
    '-W',
    '--what-if',
    '-l',
    '--load-average',
    '-O',
    '--output-sync',
  ),
  optionalNumeric: set('-j', '--jobs'),
};

const TEST_RUNNER_RULES: ArgRules = {
  valueFlags: set(
    '-t',
    '--testNamePattern',
    '--testPathPattern',
    '-c',
    '--config',
    '-w',
    '--maxWorkers',
    '--shard',
    '--reporter',
    '--reporters',
    '--project',
    '--selectProjects',
    '-g',
    '--grep',
    '-j',
    '--workers',
    '--retries',
    '--repeat-each',
    '--timeout',
    '--pool',
    '--root',
    '--dir',
    '--spec',
    '-s',
    '--browser',
    '-e',
    '--env',
  ),
};

const PYTEST_RULES: ArgRules = {
  valueFlags: set(
    '-k',
    '-m',
    '-n',
    '--numprocesses',
    '-p',
    '-c',
    '--maxfail',
    '--timeout',
    '--durations',
    '--rootdir',
    '--junitxml',
    '--junit-xml',
    '--basetemp',
    '--dist',
    '-o',
    '--override-ini',
    '--ignore',
    '--deselect',
    '--tb',
    '--log-level',
    '--cov-report',
    '-W',
    '--count',
    '--reruns',
  ),
};

const TOOLS: Readonly<Record<string, ToolSpec>> = {
  npm: { style: 'scripts', builtins: NPM_BUILTINS, bareScripts: false, rules: NPM_RULES },
  pnpm: { style: 'scripts', builtins: NPM_BUILTINS, bareScripts: true, rules: NPM_RULES },
  yarn: { style: 'scripts', builtins: NPM_BUILTINS, bareScripts: true, rules: NPM_RULES },
  bun: {
    style: 'scripts',
    builtins: { ...NPM_BUILTINS, build: ['build', 'build'], test: TEST },
    bareScripts: true,
    rules: NPM_RULES,
  },
  cargo: {
    style: 'subcommand',
    otherwise: 'build',
    rules: CARGO_RULES,
    subs: {
      build: ['build', 'build'],
      b: ['build', 'build'],
      check: ['check', 'build'],
      c: ['check', 'build'],
      clippy: ['clippy', 'build'],
      doc: ['doc', 'build'],
      d: ['doc', 'build'],
      install: ['install', 'build'],
      test: ['test', 'test'],
      t: ['test', 'test'],
      bench: ['bench', 'test'],
      nextest: ['nextest', 'test'],
      run: ['run', 'other'],
      r: ['run', 'other'],
      fmt: ['fmt', 'other'],
    },
  },
  go: {
    style: 'subcommand',
    otherwise: 'other',
    rules: GO_RULES,
    subs: {
      build: ['build', 'build'],
      install: ['install', 'build'],
      vet: ['vet', 'build'],
      generate: ['generate', 'build'],
      test: ['test', 'test'],
      run: ['run', 'other'],
    },
  },
  docker: {
    style: 'subcommand',
    otherwise: 'other',
    rules: DOCKER_RULES,
    subs: {
      build: ['build', 'build'],
      run: ['run', 'other'],
      pull: ['pull', 'other'],
      push: ['push', 'other'],
    },
    nested: {
      buildx: { build: ['build', 'build'], bake: ['build', 'build'], b: ['build', 'build'] },
      compose: {
        build: ['compose build', 'build'],
        up: ['compose up', 'other'],
        run: ['compose run', 'other'],
        pull: ['compose pull', 'other'],
      },
      image: { build: ['build', 'build'] },
    },
  },
  bazel: {
    style: 'subcommand',
    otherwise: 'other',
    subs: {
      build: ['build', 'build'],
      test: ['test', 'test'],
      coverage: ['test', 'test'],
      run: ['run', 'other'],
    },
  },
  dotnet: {
    style: 'subcommand',
    otherwise: 'other',
    subs: {
      build: ['build', 'build'],
      publish: ['publish', 'build'],
      restore: ['restore', 'build'],
      pack: ['pack', 'build'],
      test: ['test', 'test'],
      run: ['run', 'other'],
    },
  },
  swift: {
    style: 'subcommand',
    otherwise: 'other',
    subs: { build: ['build', 'build'], test: ['test', 'test'], run: ['run', 'other'] },
  },
  deno: {
    style: 'subcommand',
    otherwise: 'other',
    subs: {
      test: ['test', 'test'],
      compile: ['compile', 'build'],
      bundle: ['bundle', 'build'],
      run: ['run', 'other'],
    },
  },
  mix: {
    style: 'subcommand',
    otherwise: 'other',
    subs: { test: ['test', 'test'], compile: ['compile', 'build'], 'deps.get': ['deps.get', 'build'] },
  },
  zig: {
    style: 'subcommand',
    otherwise: 'build',
    subs: { build: ['build', 'build'], test: ['test', 'test'] },
  },
  vitest: {
    style: 'subcommand',
    otherwise: 'test',
    rules: TEST_RUNNER_RULES,
    subs: { run: ['run', 'test'], bench: ['bench', 'test'], related: ['related', 'test'] },
  },
  playwright: {
    style: 'subcommand',
    otherwise: 'other',
    rules: TEST_RUNNER_RULES,
    subs: { test: ['test', 'test'], install: ['install', 'other'] },
  },
  cypress: {
    style: 'subcommand',
    otherwise: 'other',
    rules: TEST_RUNNER_RULES,
    subs: { run: ['run', 'test'], open: ['open', 'other'] },
  },
  next: {
    style: 'subcommand',
    otherwise: 'other',
    subs: { build: ['build', 'build'], lint: ['lint', 'other'] },
  },
  vite: { style: 'subcommand', otherwise: 'other', subs: { build: ['build', 'build'] } },
  astro: {
    style: 'subcommand',
    otherwise: 'other',
    subs: { build: ['build', 'build'], check: ['check', 'build'] },
  },
  parcel: { style: 'subcommand', otherwise: 'other', subs: { build: ['build', 'build'] } },
  meson: {
    style: 'subcommand',
    otherwise: 'build',
    subs: { compile: ['compile', 'build'], setup: ['setup', 'build'], test: ['test', 'test'] },
  },
  cmake: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-S', '-B', '-G', '--target', '-j', '--parallel', '--config') },
  },
  turbo: {
    style: 'target',
    otherwise: 'build',
    pick: 'first',
    rules: { valueFlags: set('--filter', '-F', '--concurrency') },
  },
  nx: {
    style: 'target',
    otherwise: 'build',
    pick: 'first',
    rules: { valueFlags: set('-t', '--target', '-p', '--projects', '--parallel', '-c', '--configuration') },
  },
  make: { style: 'target', otherwise: 'build', pick: 'first', rules: MAKE_RULES },
  just: { style: 'target', otherwise: 'other', pick: 'first' },
  task: { style: 'target', otherwise: 'other', pick: 'first' },
  rake: { style: 'target', otherwise: 'other', pick: 'first' },
  ninja: {
    style: 'target',
    otherwise: 'build',
    pick: 'first',
    rules: { valueFlags: set('-C', '-f', '-j', '-k', '-l', '-t') },
  },
  gradle: {
    style: 'target',
    otherwise: 'build',
    pick: 'last',
    rules: { valueFlags: set('-p', '--project-dir', '-x', '--exclude-task', '-D', '-P', '--max-workers') },
  },
  mvn: {
    style: 'target',
    otherwise: 'build',
    pick: 'last',
    rules: {
      valueFlags: set(
        '-f',
        '--file',
        '-pl',
        '--projects',
        '-P',
        '--activate-profiles',
        '-T',
        '--threads',
        '-s',
        '--settings',
        '-rf',
      ),
    },
  },
  pytest: { style: 'single', kind: 'test', rules: PYTEST_RULES },
  jest: { style: 'single', kind: 'test', rules: TEST_RUNNER_RULES },
  mocha: { style: 'single', kind: 'test', rules: TEST_RUNNER_RULES },
  ava: { style: 'single', kind: 'test' },
  tap: { style: 'single', kind: 'test' },
  karma: { style: 'single', kind: 'test' },
  jasmine: { style: 'single', kind: 'test' },
  tox: { style: 'single', kind: 'test', rules: { valueFlags: set('-e', '-c', '-p', '--parallel') } },
  nox: {
    style: 'single',
    kind: 'test',
    rules: { valueFlags: set('-s', '--session', '-p', '--python', '-k') },
  },
  unittest: { style: 'single', kind: 'test', rules: { valueFlags: set('-k', '-p', '-s', '-t') } },
  phpunit: {
    style: 'single',
    kind: 'test',
    rules: { valueFlags: set('-c', '--configuration', '--filter', '--testsuite', '--group') },
  },
  rspec: {
    style: 'single',
    kind: 'test',
    rules: { valueFlags: set('-e', '--example', '-t', '--tag', '--seed', '-f', '--format') },
  },
  ctest: {
    style: 'single',
    kind: 'test',
    rules: {
      valueFlags: set('-j', '--parallel', '-R', '-E', '-L', '--test-dir', '-C', '--timeout', '--repeat'),
    },
  },
  tsc: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-p', '--project', '--outDir', '--target', '--module') },
  },
  webpack: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-c', '--config', '--mode', '--env') },
  },
  esbuild: { style: 'single', kind: 'build' },
  rollup: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-c', '--config', '-o', '--file', '-f', '--format') },
  },
  swc: { style: 'single', kind: 'build' },
  babel: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-d', '--out-dir', '-o', '--out-file') },
  },
  gcc: { style: 'single', kind: 'build', rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D', '-x') } },
  'g++': { style: 'single', kind: 'build', rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D', '-x') } },
  clang: { style: 'single', kind: 'build', rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D', '-x') } },
  'clang++': {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D', '-x') },
  },
  cc: { style: 'single', kind: 'build', rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D') } },
  'c++': { style: 'single', kind: 'build', rules: { valueFlags: set('-o', '-I', '-L', '-l', '-D') } },
  rustc: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-o', '--edition', '--crate-type', '-C', '--target') },
  },
  javac: {
    style: 'single',
    kind: 'build',
    rules: { valueFlags: set('-d', '-cp', '-classpath', '--release', '-sourcepath') },
  },
  scons: { style: 'single', kind: 'build', rules: { optionalNumeric: set('-j') } },
  python: { style: 'interpreter', rules: { valueFlags: set('-W', '-X', '-c', '-m') } },
  node: {
    style: 'interpreter',
    rules: {
      valueFlags: set('-r', '--require', '--import', '--loader', '--max-old-space-size', '--env-file'),
    },
  },
  tsx: { style: 'interpreter' },
  'ts-node': { style: 'interpreter' },
  ruby: { style: 'interpreter', rules: { valueFlags: set('-r', '-I', '-e') } },
  perl: { style: 'interpreter', rules: { valueFlags: set('-I', '-M', '-e') } },
  php: { style: 'interpreter' },
  bash: { style: 'interpreter' },
  sh: { style: 'interpreter' },
  zsh: { style: 'interpreter' },
  sleep: { style: 'plain', kind: 'other' },
  echo: { style: 'plain', kind: 'other' },
  printf: { style: 'plain', kind: 'other' },
  true: { style: 'plain', kind: 'other' },
  false: { style: 'plain', kind: 'other' },
  cat: { style: 'plain', kind: 'other' },
  yes: { style: 'plain', kind: 'other' },
  cd: { style: 'plain', kind: 'other' },
  export: { style: 'plain', kind: 'other' },
  set: { style: 'plain', kind: 'other' },
  source: { style: 'plain', kind: 'other' },
  '.': { style: 'plain', kind: 'other' },
  test: { style: 'plain', kind: 'other' },
  '[': { style: 'plain', kind: 'other' },
  curl: { style: 'plain', kind: 'other' },
  tee: { style: 'plain', kind: 'other' },
  grep: { style: 'plain', kind: 'other' },
  head: { style: 'plain', kind: 'other' },
  tail: { style: 'plain', kind: 'other' },
  sort: { style: 'plain', kind: 'other' },
  uniq: { style: 'plain', kind: 'other' },
  wc: { style: 'plain', kind: 'other' },
  jq: { style: 'plain', kind: 'other' },
  sed: { style: 'plain', kind: 'other' },
  awk: { style: 'plain', kind: 'other' },
  cut: { style: 'plain', kind: 'other' },
  tr: { style: 'plain', kind: 'other' },
  wget: { style: 'plain', kind: 'other' },
};

/** Commands that only set up the shell around the real work (`cd dir && npm test`). */
export function isSetupTool(tool: string): boolean {
  return ['cd', 'export', 'set', 'source', '.', 'true', ':', 'echo', 'printf', 'test', '['].includes(tool);
}

const TESTISH = /(^|[^a-z])(tests?|specs?|e2e|integration|unit|coverage|cov|check|verify|ci)([^a-z]|$)/i;
const BUILDISH =
  /build|compile|bundle|dist|pack(age)?|prepare|tsc|typecheck|webpack|rollup|transpile|assemble|install|release|all$/i;
const OTHERISH = /^(clean|lint|fmt|format|run|serve|start|dev|deploy|docs?|watch|help|bench)$/i;

/** Kind from a script, target or tool name, e.g. `test:unit` → test, `build:prod` → build. */
export function kindFromName(name: string, otherwise: TaskKind): TaskKind {
  if (OTHERISH.test(name)) return 'other';
  if (TESTISH.test(name)) return 'test';
  if (BUILDISH.test(name)) return 'build';
  return otherwise;
}

const SUBCOMMAND_WORD = /^[a-z][a-z0-9_.:-]{0,31}$/;
/** Unknown tools: a word with a dot is far more often a file than a subcommand. */
const UNKNOWN_SUBCOMMAND_WORD = /^[a-z][a-z0-9_:-]{0,31}$/;
const MAX_NAME = 40;

/** Makes a script, target or file name safe and short for a verb. */
function shortName(name: string): string {
  const base = name.replace(/\\/g, '/').replace(/\/+$/, '').split('/').pop() ?? name;
  return base.length > MAX_NAME ? base.slice(0, MAX_NAME) : base;
}

function firstWordIndex(args: readonly Arg[], from = 0): number | undefined {
  for (let i = from; i < args.length; i++) if (args[i]!.type === 'word') return i;
  return undefined;
}

function text(args: readonly Arg[], i: number): string {
  const a = args[i]!;
  return a.type === 'word' ? a.text : a.name;
}

export function analyseTool(tool: string, rawArgs: readonly string[]): ToolCommand {
  const spec = TOOLS[tool];
  const verbIndices = new Set<number>();
  if (spec === undefined) return analyseUnknown(tool, rawArgs);
  if (spec.style === 'plain') {
    return {
      verb: tool,
      kind: spec.kind,
      kindReason: `${tool} is a plain command`,
      args: parseArgs(rawArgs),
      verbIndices,
    };
  }
  const args = parseArgs(toolchainStripped(tool, rawArgs), spec.rules);
  switch (spec.style) {
    case 'single':
      return { verb: tool, kind: spec.kind, kindReason: `${tool} is a ${spec.kind} tool`, args, verbIndices };
    case 'subcommand': {
      const at = firstWordIndex(args);
      const sub = at === undefined ? undefined : text(args, at);
      const nested = sub === undefined ? undefined : spec.nested?.[sub];
      if (nested !== undefined && at !== undefined) {
        verbIndices.add(at);
        const at2 = firstWordIndex(args, at + 1);
        const entry = at2 === undefined ? undefined : nested[text(args, at2)];
        if (entry !== undefined && at2 !== undefined) {
          verbIndices.add(at2);
          return {
            verb: `${tool} ${entry[0]}`,
            kind: entry[1],
            kindReason: `${tool} ${entry[0]} is a ${entry[1]} command`,
            args,
            verbIndices,
          };
        }
        return {
          verb: `${tool} ${sub}`,
          kind: spec.otherwise,
          kindReason: `${tool} ${sub}`,
          args,
          verbIndices,
        };
      }
      const entry = sub === undefined ? undefined : spec.subs[sub];
      if (entry !== undefined && at !== undefined) {
        verbIndices.add(at);
        return {
          verb: `${tool} ${entry[0]}`,
          kind: entry[1],
          kindReason: `${tool} ${entry[0]} is a ${entry[1]} command`,
          args,
          verbIndices,
        };
      }
      if (sub !== undefined && at !== undefined && SUBCOMMAND_WORD.test(sub)) {
        verbIndices.add(at);
        const kind = kindFromName(sub, spec.otherwise);
        return { verb: `${tool} ${sub}`, kind, kindReason: `"${sub}" reads as ${kind}`, args, verbIndices };
      }
      return {
        verb: tool,
        kind: spec.otherwise,
        kindReason: `${tool} without a known subcommand`,
        args,
        verbIndices,
      };
    }
    case 'target': {
      const targets: number[] = [];
      args.forEach((a, i) => {
        // `make CC=clang` sets a variable; `nx run app:build` names project and target.
        if (a.type === 'word' && !a.text.includes('=') && SUBCOMMAND_WORD.test(a.text.split(':').pop() ?? ''))
          targets.push(i);
      });
      if (tool === 'turbo' || tool === 'nx') {
        if (targets[0] !== undefined && ['run', 'run-many', 'affected'].includes(text(args, targets[0]))) {
          verbIndices.add(targets[0]);
          targets.shift();
        }
      }
      const at = spec.pick === 'first' ? targets[0] : targets[targets.length - 1];
      if (at === undefined) {
        return {
          verb: tool,
          kind: spec.otherwise,
          kindReason: `${tool} with its default target`,
          args,
          verbIndices,
        };
      }
      verbIndices.add(at);
      const target = shortName(text(args, at).split(':').pop() ?? '');
      const kind = kindFromName(target, spec.otherwise);
      return {
        verb: `${tool} ${target}`,
        kind,
        kindReason: `target "${target}" reads as ${kind}`,
        args,
        verbIndices,
      };
    }
    case 'scripts':
      return analyseScripts(tool, spec, args);
    case 'interpreter':
      return analyseInterpreter(tool, args);
  }
}

/** `cargo +nightly build`: the toolchain selector is not part of what runs. */
function toolchainStripped(tool: string, args: readonly string[]): readonly string[] {
  return tool === 'cargo' && args[0]?.startsWith('+') ? args.slice(1) : args;
}

function analyseScripts(tool: string, spec: ScriptTool, args: Arg[]): ToolCommand {
  const verbIndices = new Set<number>();
  const at = firstWordIndex(args);
  if (at === undefined) {
    return {
      verb: `${tool} install`,
      kind: 'build',
      kindReason: `bare ${tool} installs dependencies`,
      args,
      verbIndices,
    };
  }
  verbIndices.add(at);
  let sub = text(args, at);
  let scriptAt: number | undefined;
  if (sub === 'workspace' && tool === 'yarn') {
    // `yarn workspace NAME script`: the workspace name is a target, the script follows it.
    const nameAt = firstWordIndex(args, at + 1);
    if (nameAt !== undefined) verbIndices.add(nameAt);
    scriptAt = nameAt === undefined ? undefined : firstWordIndex(args, nameAt + 1);
    if (scriptAt !== undefined && text(args, scriptAt) === 'run') {
      verbIndices.add(scriptAt);
      scriptAt = firstWordIndex(args, scriptAt + 1);
    }
    sub = scriptAt === undefined ? 'install' : text(args, scriptAt);
  } else if (sub === 'run' || sub === 'run-script' || sub === 'rum' || sub === 'urn') {
    scriptAt = firstWordIndex(args, at + 1);
    if (scriptAt === undefined) {
      return {
        verb: `${tool} run`,
        kind: 'other',
        kindReason: `${tool} run lists scripts`,
        args,
        verbIndices,
      };
    }
    sub = text(args, scriptAt);
  } else {
    const builtin = spec.builtins[sub];
    if (builtin !== undefined) {
      return {
        verb: `${tool} ${builtin[0]}`,
        kind: builtin[1],
        kindReason: `${tool} ${builtin[0]} is a ${builtin[1]} command`,
        args,
        verbIndices,
      };
    }
    if (!spec.bareScripts) {
      return {
        verb: `${tool} ${shortName(sub)}`,
        kind: 'other',
        kindReason: `${tool} ${shortName(sub)}`,
        args,
        verbIndices,
      };
    }
  }
  if (scriptAt !== undefined) verbIndices.add(scriptAt);
  const script = shortName(sub);
  if (script === 'test' || script === 'start') {
    const kind = script === 'test' ? 'test' : 'other';
    return {
      verb: `${tool} ${script}`,
      kind,
      kindReason: `${tool} ${script} is a ${kind} command`,
      args,
      verbIndices,
    };
  }
  const kind = kindFromName(script, 'other');
  return {
    verb: `${tool} run ${script}`,
    kind,
    kindReason: `script "${script}" reads as ${kind}`,
    args,
    verbIndices,
  };
}

function analyseInterpreter(tool: string, args: Arg[]): ToolCommand {
  const verbIndices = new Set<number>();
  for (const [i, a] of args.entries()) {
    if (a.type === 'flag' && (a.name === '--test' || (a.name === '-m' && a.value === 'unittest'))) {
      return {
        verb: `${tool} ${argLabel(a)}`,
        kind: 'test',
        kindReason: `${tool} ${argLabel(a)} runs tests`,
        args,
        verbIndices,
      };
    }
    if (
      a.type === 'flag' &&
      (a.name === '-m' || a.name === '-c' || a.name === '-e') &&
      a.value !== undefined
    ) {
      const label = a.name === '-m' ? `-m ${shortName(a.value)}` : a.name;
      const kind = a.name === '-m' ? kindFromName(a.value, 'other') : 'other';
      verbIndices.add(i);
      return { verb: `${tool} ${label}`, kind, kindReason: `${tool} ${label}`, args, verbIndices };
    }
    if (a.type === 'word') {
      verbIndices.add(i);
      const script = shortName(a.text);
      const kind = kindFromName(script.replace(/\.[a-z]+$/i, ''), 'other');
      return {
        verb: `${tool} ${script}`,
        kind,
        kindReason: `script "${script}" reads as ${kind}`,
        args,
        verbIndices,
      };
    }
  }
  return { verb: tool, kind: 'other', kindReason: `${tool} without a script`, args, verbIndices };
}

function argLabel(a: Arg): string {
  return a.type === 'word' ? a.text : a.value === undefined ? a.name : `${a.name} ${a.value}`;
}

function analyseUnknown(tool: string, rawArgs: readonly string[]): ToolCommand {
  const args = parseArgs(rawArgs);
  const verbIndices = new Set<number>();
  const at = firstWordIndex(args);
  const sub = at === undefined ? undefined : text(args, at);
  const toolKind = kindFromName(tool.replace(/\.[a-z]+$/i, ''), 'other');
  if (sub !== undefined && at !== undefined && UNKNOWN_SUBCOMMAND_WORD.test(sub)) {
    verbIndices.add(at);
    const kind = toolKind !== 'other' ? toolKind : kindFromName(sub, 'other');
    return {
      verb: `${tool} ${sub}`,
      kind,
      kindReason: `"${tool} ${sub}" reads as ${kind}`,
      args,
      verbIndices,
    };
  }
  return { verb: tool, kind: toolKind, kindReason: `"${tool}" reads as ${toolKind}`, args, verbIndices };
}
