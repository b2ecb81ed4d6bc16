import { splitShellLine } from './shell-line.js';

/**
 * Finds the commands that do the work inside a task's argv: shell lines are split, `sh -c` is opened,
 * and wrappers that do not change what runs (env assignments, `env`, `timeout 60`, `nice`, `npx`,
 * `node_modules/.bin/`, `uv run`, …) are peeled off so that `timeout 60 npx vitest run` is classified
 * as `vitest run`.
 */

export interface SimpleCommand {
  /** Program (as a normalised tool name) followed by its arguments. */
  tool: string;
  args: string[];
  /** `NAME=value` assignments found in front of the command or given to `env`. */
  env: string[];
  /** Wrappers peeled off, outermost first (e.g. `sh -c`, `timeout`, `npx`). */
  wrappers: string[];
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish']);
const MAX_DEPTH = 4;
const MAX_UNWRAP = 12;

/** Program names that are the same tool under another name. */
const TOOL_ALIASES: Record<string, string> = {
  gmake: 'make',
  gradlew: 'gradle',
  mvnw: 'mvn',
  bazelisk: 'bazel',
  'py.test': 'pytest',
  nodejs: 'node',
  podman: 'docker',
  gtimeout: 'timeout',
  'cc-stress-fake-agent': 'fake-agent',
  'claude-code': 'claude',
};

/** npm packages whose binary has another name. */
const PACKAGE_BINARIES: Record<string, string> = {
  '@anthropic-ai/claude-code': 'claude',
  '@openai/codex': 'codex',
  '@google/gemini-cli': 'gemini',
  '@playwright/test': 'playwright',
  typescript: 'tsc',
  'cc-stress': 'cc-stress',
};

/** `node <script>` scripts that are the simulated agent. */
const FAKE_AGENT_SCRIPT = /(^|\/)(fake-agent(\.[cm]?js)?|fake-agent\/cli\.[cm]?js)$/;

/** Script files that are a known program's bin, run directly or through `node`. */
const SCRIPT_BINS: Record<string, string> = {
  'cc-stress-fake-agent': 'fake-agent',
  'fake-agent': 'fake-agent',
  'cc-stress': 'cc-stress',
  claude: 'claude',
  codex: 'codex',
  gemini: 'gemini',
};

export function toolName(program: string): string {
  const base = program.replace(/\\/g, '/').replace(/\/+$/, '').split('/').pop() ?? '';
  let name = base.toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');
  const script = /^(.+)\.[cm]?[jt]s$/.exec(name)?.[1];
  if (script !== undefined && SCRIPT_BINS[script] !== undefined) name = SCRIPT_BINS[script];
  if (/^python\d+(\.\d+)*$/.test(name)) name = 'python';
  if (/^pip\d+(\.\d+)*$/.test(name)) name = 'pip';
  if (/^(node|ruby|perl|php)\d+(\.\d+)*$/.test(name)) name = name.replace(/[\d.]+$/, '');
  return TOOL_ALIASES[name] ?? name;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Skips leading options of a wrapper: `valueOptions` take the next word as their value. */
function skipOptions(args: string[], valueOptions: ReadonlySet<string>, start = 0): number {
  let i = start;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    i += valueOptions.has(a) ? 2 : 1;
  }
  return i;
}

type Unwrapped =
  | { kind: 'done' }
  | { kind: 'words'; words: string[]; wrapper: string }
  | { kind: 'line'; line: string; wrapper: string };

const TIMEOUT_VALUE_OPTIONS = new Set(['-s', '--signal', '-k', '--kill-after']);
const NICE_VALUE_OPTIONS = new Set(['-n', '--adjustment']);
const STDBUF_VALUE_OPTIONS = new Set(['-i', '-o', '-e']);
const SUDO_VALUE_OPTIONS = new Set([
  '-u',
  '--user',
  '-g',
  '--group',
  '-C',
  '--close-from',
  '-D',
  '--chdir',
  '-h',
  '--host',
  '-p',
  '--prompt',
  '-r',
  '--role',
  '-t',
  '--type',
  '-U',
  '--other-user',
  '-T',
  '--command-timeout',
]);
const ENV_VALUE_OPTIONS = new Set(['-u', '--unset', '-C', '--chdir']);
const NPX_VALUE_OPTIONS = new Set(['-p', '--package', '--cache', '--registry', '--userconfig']);
/** Value options of nohup, time, exec, xvfb-run, caffeinate and friends, taken together. */
const RUNNER_WRAPPER_VALUE_OPTIONS = new Set(['-a', '-n', '-s', '-w']);
const NO_VALUE_OPTIONS: ReadonlySet<string> = new Set();
const IONICE_VALUE_OPTIONS = new Set(['-c', '--class', '-n', '--classdata', '-p', '--pid']);
const RUNNER_VALUE_OPTIONS = new Set([
  '--with',
  '--python',
  '-p',
  '--project',
  '--directory',
  '--env-file',
  '--extra',
  '--group',
  '-e',
  '--env',
]);

/**
 * The program a `node <script>` runs, when the script is recognisably a known package's bin
 * (`node_modules/@anthropic-ai/claude-code/cli.js`, `bin/cc-stress.js`, `dist/fake-agent/cli.js`).
 */
function scriptBin(script: string): string | undefined {
  const path = script.replace(/\\/g, '/');
  if (FAKE_AGENT_SCRIPT.test(path)) return 'fake-agent';
  const inPackage = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  if (inPackage !== undefined && PACKAGE_BINARIES[inPackage] !== undefined)
    return PACKAGE_BINARIES[inPackage];
  const name = toolName(path);
  return Object.values(SCRIPT_BINS).includes(name) ? name : undefined;
}

/** `@scope/pkg@1.2.3` → its binary name. */
function packageBinary(spec: string): string {
  const withoutVersion = spec.replace(/(.)@[^/]*$/, '$1');
  const known = PACKAGE_BINARIES[withoutVersion];
  if (known !== undefined) return known;
  return withoutVersion.startsWith('@') ? (withoutVersion.split('/')[1] ?? withoutVersion) : withoutVersion;
}

/** Peels one wrapper off `words` (program first), or says there is none. */
function unwrapOnce(words: string[], env: string[]): Unwrapped {
  const [program, ...args] = words;
  if (program === undefined) return { kind: 'done' };
  if (ASSIGNMENT.test(program)) {
    env.push(program);
    return { kind: 'words', words: args, wrapper: '' };
  }
  const tool = toolName(program);
  const rest = (from: number): string[] => args.slice(from);
  switch (tool) {
    case 'env': {
      let i = 0;
      while (i < args.length) {
        const a = args[i]!;
        if (a === '-S' || a === '--split-string') {
          return { kind: 'line', line: args.slice(i + 1).join(' '), wrapper: 'env' };
        }
        if (a.startsWith('-') && a !== '-') i += ENV_VALUE_OPTIONS.has(a) ? 2 : 1;
        else if (ASSIGNMENT.test(a)) {
          env.push(a);
          i++;
        } else break;
      }
      return { kind: 'words', words: rest(i), wrapper: 'env' };
    }
    case 'timeout': {
      const i = skipOptions(args, TIMEOUT_VALUE_OPTIONS);
      // The duration is the task's own business, not part of what it is.
      return { kind: 'words', words: rest(i + 1), wrapper: 'timeout' };
    }
    case 'nice':
      return { kind: 'words', words: rest(skipOptions(args, NICE_VALUE_OPTIONS)), wrapper: 'nice' };
    case 'ionice':
      return { kind: 'words', words: rest(skipOptions(args, IONICE_VALUE_OPTIONS)), wrapper: 'ionice' };
    case 'stdbuf':
      return { kind: 'words', words: rest(skipOptions(args, STDBUF_VALUE_OPTIONS)), wrapper: 'stdbuf' };
    case 'sudo':
    case 'doas':
      return { kind: 'words', words: rest(skipOptions(args, SUDO_VALUE_OPTIONS)), wrapper: tool };
    case 'nohup':
    case 'time':
    case 'exec':
    case 'chronic':
    case 'unbuffer':
    case 'caffeinate':
    case 'xvfb-run':
      return {
        kind: 'words',
        words: rest(skipOptions(args, RUNNER_WRAPPER_VALUE_OPTIONS)),
        wrapper: tool,
      };
    case 'command':
      if (args[0] === '-v' || args[0] === '-V') return { kind: 'done' };
      return { kind: 'words', words: rest(skipOptions(args, NO_VALUE_OPTIONS)), wrapper: 'command' };
    case 'cross-env': {
      let i = 0;
      while (i < args.length && ASSIGNMENT.test(args[i]!)) env.push(args[i++]!);
      return { kind: 'words', words: rest(i), wrapper: 'cross-env' };
    }
    case 'npx':
    case 'pnpx':
    case 'bunx':
      return unwrapPackageRunner(args, tool);
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun':
      if (args[0] === 'exec' || args[0] === 'dlx' || args[0] === 'x') {
        return unwrapPackageRunner(args.slice(1), `${tool} ${args[0]}`);
      }
      return { kind: 'done' };
    case 'uv':
    case 'poetry':
    case 'pipenv':
    case 'pdm':
    case 'hatch':
    case 'rye':
    case 'bundle':
      if (args[0] === 'run' || (tool === 'bundle' && args[0] === 'exec')) {
        return {
          kind: 'words',
          words: rest(skipOptions(args, RUNNER_VALUE_OPTIONS, 1)),
          wrapper: `${tool} ${args[0]}`,
        };
      }
      return { kind: 'done' };
    case 'python': {
      // `python -u -m pytest -x`: the module is the program; `-c CODE` and scripts are not unwrapped.
      for (
        let i = 0;
        i < args.length && args[i]!.startsWith('-');
        i += PYTHON_VALUE_OPTIONS.has(args[i]!) ? 2 : 1
      ) {
        if (args[i] !== '-m') continue;
        const module = args[i + 1];
        if (module === undefined || !PYTHON_MODULE_TOOLS.has(module)) break;
        return { kind: 'words', words: [module, ...args.slice(i + 2)], wrapper: 'python -m' };
      }
      return { kind: 'done' };
    }
    case 'node': {
      const at = args.findIndex((a) => !a.startsWith('-'));
      const bin = at < 0 ? undefined : scriptBin(args[at]!);
      if (bin !== undefined) return { kind: 'words', words: [bin, ...args.slice(at + 1)], wrapper: 'node' };
      return { kind: 'done' };
    }
    case 'cc-stress':
      if (args[0] === 'fake-agent')
        return { kind: 'words', words: ['fake-agent', ...args.slice(1)], wrapper: 'cc-stress' };
      return { kind: 'done' };
    default:
      if (SHELLS.has(tool)) {
        const at = shellCommandIndex(args);
        if (at !== undefined) return { kind: 'line', line: args[at] ?? '', wrapper: `${tool} -c` };
      }
      return { kind: 'done' };
  }
}

const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '-c']);
const PYTHON_MODULE_TOOLS = new Set([
  'pytest',
  'unittest',
  'pip',
  'mypy',
  'build',
  'tox',
  'nox',
  'black',
  'ruff',
  'coverage',
  'django',
  'aider',
]);

/** Position of the command string in `sh [-options] -c STRING`, if the shell was given one. */
function shellCommandIndex(args: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') && !a.startsWith('+')) return undefined;
    // Combined flags such as -lc or -euc carry the c.
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) return i + 1;
    // `-o pipefail`, `-euo pipefail`: the option name is the next word.
    if (/^[-+][a-zA-Z]*[oO]$/.test(a)) i++;
  }
  return undefined;
}

function unwrapPackageRunner(args: string[], wrapper: string): Unwrapped {
  let i = 0;
  let pkg: string | undefined;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-c' || a === '--call') return { kind: 'line', line: args[i + 1] ?? '', wrapper };
    if (!a.startsWith('-')) break;
    if (a === '-p' || a === '--package') pkg = args[i + 1];
    i += NPX_VALUE_OPTIONS.has(a) ? 2 : 1;
  }
  const [first, ...more] = args.slice(i);
  if (first === undefined)
    return { kind: 'words', words: pkg === undefined ? [] : [packageBinary(pkg)], wrapper };
  return { kind: 'words', words: [packageBinary(first), ...more], wrapper };
}

/**
 * The simple commands a task runs, wrappers peeled off. With `shell: true` argv[0] is a command line;
 * otherwise argv is one command (which may itself be `sh -c "…"`).
 */
export function simpleCommands(argv: readonly string[], shell: boolean): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  if (shell) {
    for (const words of splitShellLine(argv.join(' '))) expand(words, [], [], 0, out);
  } else {
    expand([...argv], [], [], 0, out);
  }
  return out;
}

/** Shell grammar words: `if npm test; then …` runs `npm test`, `for i in 1 2; do …` runs nothing itself. */
const LEADING_KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'while',
  'until',
  'do',
  '!',
  '{',
  'done',
  'fi',
  'esac',
  '}',
]);
const HEADER_KEYWORDS = new Set(['for', 'case', 'select', 'function']);

function withoutKeywords(words: string[]): string[] {
  let i = 0;
  while (i < words.length && LEADING_KEYWORDS.has(words[i]!)) i++;
  if (HEADER_KEYWORDS.has(words[i] ?? '')) return [];
  return i === 0 ? words : words.slice(i);
}

function expand(
  words: string[],
  env: string[],
  wrappers: string[],
  depth: number,
  out: SimpleCommand[],
): void {
  let current = withoutKeywords(words);
  const ownEnv = [...env];
  const ownWrappers = [...wrappers];
  for (let step = 0; step < MAX_UNWRAP; step++) {
    const result = unwrapOnce(current, ownEnv);
    if (result.kind === 'done') break;
    if (result.wrapper !== '') ownWrappers.push(result.wrapper);
    if (result.kind === 'line') {
      if (depth >= MAX_DEPTH) break;
      for (const inner of splitShellLine(result.line)) expand(inner, ownEnv, ownWrappers, depth + 1, out);
      return;
    }
    current = result.words;
  }
  const [program, ...args] = current;
  if (program === undefined) return;
  out.push({ tool: toolName(program), args, env: ownEnv, wrappers: ownWrappers });
}
