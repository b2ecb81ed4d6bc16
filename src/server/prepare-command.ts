import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { splitCommandLine } from '../exec/ws-command-line.js';
import { ErrorCode, type ExecuteParams } from '../exec/ws-protocol.js';
import { type AllowList, refusedEnvKeys } from './allow-list.js';

export interface PreparedCommand {
  argv: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
}

export type Prepared = { ok: true; command: PreparedCommand } | { ok: false; code: number; message: string };

export interface CommandPolicy {
  allowList?: AllowList;
  /** Where commands run when the request names no cwd. */
  defaultCwd: string;
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
    const refused = refusedEnvKeys(env);
    if (refused.length > 0) {
      return {
        ok: false,
        code: ErrorCode.commandNotAllowed,
        message: `Command not allowed: env ${refused.join(', ')} would change what runs; refused with an allow-list`,
      };
    }
    argv[0] = verdict.executable;
  }
  return { ok: true, command: { argv, shell: false, cwd, env } };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
