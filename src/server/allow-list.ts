import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';

/** Finds the file a program name refers to: a path (relative to cwd) or a PATH lookup. Absolute, not realpath'd. */
export async function resolveExecutable(
  name: string,
  cwd: string,
  pathEnv: string,
): Promise<string | undefined> {
  if (name === '') return undefined;
  if (name.includes('/'))
    return (await isExecutableFile(resolve(cwd, name))) ? resolve(cwd, name) : undefined;
  for (const dir of pathEnv.split(delimiter)) {
    // Relative PATH entries would make the answer depend on the requested cwd: a way to plant a program.
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

interface AllowedProgram {
  /** As given on the command line, for messages. */
  entry: string;
  /** The file the name resolves to; its base name is the program's identity for multi-call binaries. */
  resolved: string;
  real: string;
}

export type AllowVerdict = { ok: true; executable: string } | { ok: false; error: string };

/**
 * Which programs a server may run. A request is matched on the file its argv[0] resolves to (PATH lookup,
 * then symlinks followed), never on the text, so `claude-evil`, `./claude` in a writable folder or a PATH
 * override cannot pass for `claude`. The invoked base name must match too, because one real file can be
 * several programs (busybox, coreutils multi-call binaries).
 */
export class AllowList {
  private constructor(
    private readonly programs: AllowedProgram[],
    private readonly pathEnv: string,
  ) {}

  /** Throws naming the first entry that is not an executable program. */
  static async create(
    entries: readonly string[],
    pathEnv: string = process.env.PATH ?? '',
    codeRunners: readonly string[] = [],
  ): Promise<AllowList> {
    const programs: AllowedProgram[] = [];
    for (const entry of entries) {
      const resolved = await resolveExecutable(entry, process.cwd(), pathEnv);
      if (resolved === undefined) {
        throw new Error(`--allow ${entry}: no executable program of that name (looked in PATH)`);
      }
      const real = await realpath(resolved);
      const optedIn = codeRunners.includes(entry) || codeRunners.includes(basename(resolved));
      if (!optedIn && (isCodeRunner(resolved) || isCodeRunner(real))) {
        throw new Error(
          `--allow ${entry}: ${basename(resolved)} runs any command its arguments name, so allowing it allows everything; ` +
            `add --allow-code-runner ${basename(resolved)} if that is what you mean`,
        );
      }
      programs.push({ entry, resolved, real });
    }
    return new AllowList(programs, pathEnv);
  }

  get entries(): string[] {
    return this.programs.map((program) => program.entry);
  }

  /**
   * On success, `executable` is the absolute path to run instead of argv[0], so the spawned program is the
   * one that was checked whatever PATH the request's environment carries.
   */
  async check(program: string, cwd: string): Promise<AllowVerdict> {
    const resolved = await resolveExecutable(program, cwd, this.pathEnv);
    if (resolved === undefined) {
      return {
        ok: false,
        error: `Command not allowed: "${program}" is not an executable program on this server`,
      };
    }
    let real: string;
    try {
      real = await realpath(resolved);
    } catch {
      return { ok: false, error: `Command not allowed: "${program}" cannot be resolved` };
    }
    const match = this.programs.find(
      (allowed) => allowed.real === real && basename(allowed.resolved) === basename(resolved),
    );
    if (match === undefined) {
      return {
        ok: false,
        error: `Command not allowed: "${program}" (${resolved}) is not in the allow-list (${this.entries.join(', ')})`,
      };
    }
    return { ok: true, executable: resolved };
  }
}

/**
 * Environment variables that make an allowed program load or run other code. Refused with an allow-list
 * even when an `--allow-env` pattern covers them, since they would turn "may run claude" into "may run
 * anything".
 */
const CODE_LOADING_ENV =
  /^(LD_\w+|DYLD_\w+|NODE_OPTIONS|NODE_PATH|BASH_ENV|ENV|PYTHON\w*|PERL5\w+|PERLLIB|RUBY\w+|GIT_\w+|GCONV_PATH|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|PATH|SHELLOPTS|BASHOPTS|PS4|IFS|PROMPT_COMMAND|EDITOR|VISUAL|PAGER|BROWSER|SSH_\w+|HOME|XDG_CONFIG_HOME|TMPDIR)$/;

/** What a client may set without the operator naming it: locale, time zone, terminal and colour hints. */
export const DEFAULT_ALLOWED_ENV = [
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'TERM',
  'COLUMNS',
  'LINES',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
];

const ENV_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

/**
 * Which environment variables a client may set on a server with an allow-list: an allow-list of names,
 * since a deny-list of dangerous ones is never complete (GIT_SSH_COMMAND, GCONV_PATH, JAVA_TOOL_OPTIONS, …).
 * An entry ending in `*` is a prefix (`ANTHROPIC_*`).
 */
export class EnvPolicy {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      if (!ENV_PATTERN.test(entry) || entry === '*') {
        throw new Error(`--allow-env ${entry}: not a variable name or NAME_* prefix`);
      }
      if (entry.endsWith('*')) this.prefixes.push(entry.slice(0, -1));
      else this.exact.add(entry);
    }
  }

  /** The keys of `env` this server does not let a client set, in order. */
  refused(env: Record<string, string>): string[] {
    return Object.keys(env).filter(
      (key) =>
        CODE_LOADING_ENV.test(key) ||
        !(this.exact.has(key) || this.prefixes.some((prefix) => key.startsWith(prefix))),
    );
  }
}

/**
 * Programs that run any code their arguments name (`git -c core.sshCommand=…`, `python -c`, `find -exec`,
 * `env`, wrappers): allowing one allows everything, so `--allow` refuses them unless the operator opts in.
 */
const CODE_RUNNERS =
  /^(sh|bash|dash|zsh|ksh|mksh|fish|csh|tcsh|busybox|env|xargs|find|git|ssh|scp|rsync|python[\d.]*|pypy[\d.]*|node|nodejs|deno|bun|perl[\d.]*|ruby[\d.]*|php[\d.]*|lua[\d.]*|luajit|tclsh[\d.]*|wish|awk|gawk|mawk|nawk|sed|make|gmake|npm|npx|pnpm|yarn|bunx|uv|uvx|pip[\d.]*|cargo|go|java|sudo|su|doas|timeout|nice|nohup|stdbuf|ionice|time|watch|script|expect|docker|podman|kubectl|vim?|nvim|emacs|less|more)$/;

export function isCodeRunner(program: string): boolean {
  return CODE_RUNNERS.test(basename(program));
}
