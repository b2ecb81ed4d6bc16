import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { cwdProblem, describeSpawnError } from './spawn-error.js';
import { TASK_TAG_VAR, tagValue } from './task-tag.js';
import type { ExecRequest } from './types.js';

export interface Spawned {
  ok: true;
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** The main process exited: its exit code, or the signal that ended it. */
  exited: Promise<{ exitCode: number | null; signal: string | null }>;
  /** Resolves once execa is done, i.e. the main process exited and both pipes closed. */
  settled: Promise<unknown>;
}

export interface NotSpawned {
  ok: false;
  detail: string;
}

/**
 * Starts a task as the leader of its own process group (detached: pgid = pid), stdin closed, output
 * unbuffered so that it streams through the caller, and without a shell unless the task asks for one.
 */
export async function spawnTask(request: ExecRequest, tag: string): Promise<Spawned | NotSpawned> {
  const [first, ...rest] = request.argv;
  if (first === undefined || first === '') return { ok: false, detail: 'cannot start: the command is empty' };
  const program = request.shell ? '/bin/sh' : first;
  // Extra elements after a shell command line become its positional parameters ("$@").
  const args = request.shell ? ['-c', first, 'sh', ...rest] : rest;
  const label = request.shell ? shorten(first) : program;
  const badCwd = cwdProblem(request.cwd);
  if (badCwd) return { ok: false, detail: `cannot start ${JSON.stringify(label)}: ${badCwd}` };

  let subprocess: ReturnType<typeof startProcess>;
  try {
    subprocess = startProcess(program, args, request, tag);
  } catch (error) {
    // execa validates its options synchronously (e.g. an env value that is not a string).
    return { ok: false, detail: describeSpawnError(program, undefined, (error as Error).message) };
  }

  const { pid, stdout, stderr } = subprocess;
  if (pid === undefined || !stdout || !stderr) {
    // With reject: false a spawn failure resolves to execa's error object, which carries the errno code.
    const failure: { code?: unknown; originalMessage?: unknown; message?: unknown } = await subprocess;
    const code = typeof failure.code === 'string' ? failure.code : undefined;
    const message = String(failure.originalMessage ?? failure.message ?? 'unknown error');
    return { ok: false, detail: describeSpawnError(program, code, message) };
  }

  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    subprocess.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  return { ok: true, pid, stdout, stderr, exited, settled: subprocess.then(() => undefined) };
}

/** A shell command line in a one-line message. */
function shorten(commandLine: string): string {
  const oneLine = commandLine.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}

function startProcess(program: string, args: string[], request: ExecRequest, tag: string) {
  return execa(program, args, {
    cwd: request.cwd,
    env: { ...request.env, [TASK_TAG_VAR]: tagValue(process.env[TASK_TAG_VAR], tag) },
    extendEnv: true,
    detached: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    shell: false,
    // Group kills are ours: execa's own timeouts and exit cleanup only reach the direct child.
    cleanup: false,
    windowsHide: true,
  });
}
