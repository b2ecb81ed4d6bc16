import { realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { splitCommandLine } from '../protocol/command-line.js';
import { ErrorCode, type ExecuteParams } from '../protocol/messages.js';
import type { AllowList, EnvPolicy } from './allow-list.js';

export interface PreparedCommand {
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
}

export type Prepared = { ok: true; command: PreparedCommand } | { ok: false; code: number; message: string };

export interface CommandPolicy {
  allowList?: AllowList;
  /** Which variables a client may set; checked only with an allow-list (without one, anything may run). */
  envPolicy?: EnvPolicy;
  /** Where commands run when the request names no cwd. */
  defaultCwd: string;
  /** A requested cwd must resolve (symlinks followed) inside this folder; absent = anywhere. */
  root?: string;
}

/**
 * Turns an `execute` request into what may be run, or the protocol error that refuses it: the command split
 * without a shell (or a shell line when asked for and allowed), checked against the allow-list by the file
 * it resolves to, in an existing directory.
 */
export async function prepareCommand(params: ExecuteParams, policy: CommandPolicy): Promise<Prepared> {
  const env = params.env ?? {};
  const cwd = resolve(policy.defaultCwd, params.cwd ?? '.');
  if (!(await isDirectory(cwd))) {
    return {
      ok: false,
      code: ErrorCode.invalidParams,
      message: `Invalid params: cwd ${cwd} is not a directory`,
    };
  }
  if (policy.root !== undefined && !(await isInside(cwd, policy.root))) {
    return {
      ok: false,
      code: ErrorCode.commandNotAllowed,
      message: `Command not allowed: cwd ${cwd} is outside the server's root ${policy.root}`,
    };
  }
  if (params.shell === true) {
    if (policy.allowList !== undefined) {
      return {
        ok: false,
        code: ErrorCode.commandNotAllowed,
        message: 'Command not allowed: shell mode is refused on a server with an allow-list',
      };
    }
    return { ok: true, command: { argv: [params.command], shell: true, cwd, env } };
  }
  const split = splitCommandLine(params.command);
  if (!split.ok) {
    return split.kind === 'meta'
      ? { ok: false, code: ErrorCode.commandNotAllowed, message: `Command not allowed: ${split.error}` }
      : { ok: false, code: ErrorCode.invalidParams, message: `Invalid params: command: ${split.error}` };
  }
  const argv = split.argv;
  if (policy.allowList !== undefined) {
    const verdict = await policy.allowList.check(argv[0]!, cwd);
    if (!verdict.ok) return { ok: false, code: ErrorCode.commandNotAllowed, message: verdict.error };
    const refused = policy.envPolicy?.refused(env) ?? Object.keys(env);
    if (refused.length > 0) {
      return {
        ok: false,
        code: ErrorCode.commandNotAllowed,
        message: `Command not allowed: env ${refused.join(', ')} may not be set on this server (allowed: ${policy.envPolicy?.entries.join(', ') || 'none'}; the operator adds names with --allow-env)`,
      };
    }
    argv[0] = verdict.executable;
  }
  return { ok: true, command: { argv, shell: false, cwd, env } };
}

/** Symlinks are followed on both sides, so a link inside the root cannot lead out of it. */
async function isInside(path: string, root: string): Promise<boolean> {
  try {
    const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
    return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
