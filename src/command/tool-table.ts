import type { TaskKind } from '../config.js';
import type { ArgRules } from './args.js';

/**
 * The tools the classifier knows, as data: for each, how its verb is found (subcommand, target, script,
 * interpreter) and what kind of work it is. The logic that reads a command line with it is in tools.ts.
 */

export type SubTable = Readonly<Record<string, readonly [canonical: string, kind: TaskKind]>>;

export interface SubcommandTool {
  style: 'subcommand';
  subs: SubTable;
  /** Kind when there is no subcommand or an unknown one. */
  otherwise: TaskKind;
  /** Subcommands that take a further subcommand (`docker compose build`). */
  nested?: Readonly<Record<string, SubTable>>;
  rules?: ArgRules;
}
export interface SingleTool {
  style: 'single';
  kind: TaskKind;
  rules?: ArgRules;
}
/** Runs named targets or tasks whose names say what they do (`make test`, `gradle build`). */
export interface TargetTool {
  style: 'target';
  otherwise: TaskKind;
  rules?: ArgRules;
  /** Which target names the verb: the first (make) or the last (mvn clean install). */
  pick: 'first' | 'last';
}
/** Package-manager script runners: `npm test`, `npm run X`, `pnpm X`. */
export interface ScriptTool {
  style: 'scripts';
  builtins: SubTable;
  /** Whether `pnpm build` runs the script `build` (pnpm, yarn, bun) or is an error (npm). */
  bareScripts: boolean;
  rules?: ArgRules;
}
/** Interpreters running a script: the script's name is the verb (`python train.py`). */
export interface InterpreterTool {
  style: 'interpreter';
  rules?: ArgRules;
}
/** Commands with no verb and nothing to learn from their arguments (`sleep 5`). */
export interface PlainTool {
  style: 'plain';
  kind: TaskKind;
}
export type ToolSpec = SubcommandTool | SingleTool | TargetTool | ScriptTool | InterpreterTool | PlainTool;

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

export const TOOLS: Readonly<Record<string, ToolSpec>> = {
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
