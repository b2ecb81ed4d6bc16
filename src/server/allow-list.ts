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
  ): Promise<AllowList> {
    const programs: AllowedProgram[] = [];
    for (const entry of entries) {
      const resolved = await resolveExecutable(entry, process.cwd(), pathEnv);
      if (resolved === undefined) {
        throw new Error(`--allow ${entry}: no executable program of that name (looked in PATH)`);
      }
      programs.push({ entry, resolved, real: await realpath(resolved) });
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
 * Environment variables that make an allowed program load or run other code; refused when an allow-list is
 * set, since they would turn "may run claude" into "may run anything".
 */
const CODE_LOADING_ENV =
  /^(LD_\w+|DYLD_\w+|NODE_OPTIONS|NODE_PATH|BASH_ENV|ENV|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB|PATH)$/;

export function refusedEnvKeys(env: Record<string, string>): string[] {
  return Object.keys(env).filter((key) => CODE_LOADING_ENV.test(key));
}
