import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { ExecRequest } from '../types.js';
import { type ContainmentChoice, type InitReport, parseInitReport } from './containment.js';
import { cwdProblem, describeSpawnError } from './spawn-error.js';
import { TASK_TAG_VAR, tagValue } from './task-tag.js';

export interface Spawned {
  ok: true;
  pid: number;
  /** The main process exited: its exit code, or the signal that ended it. */
  exited: Promise<LeaderExit>;
  /**
   * The runner has waited for the process it started (the task, or unshare): it is no zombie of the
   * runner's. With a container it comes after `exited`, once the namespace is empty.
   */
  reaped: Promise<void>;
  /**
   * True when `pid` is a container process (unshare and the namespace's init) rather than the task: those
   * are neither leftovers nor survivors, and they exit by themselves once the task's processes are gone.
   */
  isContainer(pid: number, ppid: number): boolean;
}

export interface LeaderExit {
  exitCode: number | null;
  signal: string | null;
  /**
   * True when the container saw that nothing else of the task was alive as its command ended: no
   * leftovers, and none can appear since no process of the task is left to start one.
   */
  alone?: boolean;
}

export interface NotSpawned {
  ok: false;
  detail: string;
}

/** The descriptors a task writes its stdout and stderr to (see OutputSpool). */
export interface TaskOutput {
  stdout: number;
  stderr: number;
}

/**
 * Starts a task as the leader of its own process group (detached: pgid = pid), stdin closed, its output
 * going to the given descriptors, and without a shell unless the task asks for one.
 * With PID namespaces, the group leader is `unshare` and the command runs under the namespace's init;
 * `exited` is then the command's own end, as the init reports it.
 */
export async function spawnTask(
  request: ExecRequest,
  tag: string,
  container: ContainmentChoice,
  output: TaskOutput,
): Promise<Spawned | NotSpawned> {
  const [first, ...rest] = request.argv;
  if (first === undefined || first === '') return { ok: false, detail: 'cannot start: the command is empty' };
  const program = request.shell ? '/bin/sh' : first;
  // Extra elements after a shell command line become its positional parameters ("$@").
  const args = request.shell ? ['-c', first, 'sh', ...rest] : rest;
  const label = request.shell ? shorten(first) : program;
  const badCwd = cwdProblem(request.cwd);
  if (badCwd) return { ok: false, detail: `cannot start ${JSON.stringify(label)}: ${badCwd}` };

  const { execa } = await loadExeca();
  let subprocess: ChildProcess;
  try {
    subprocess = startProcess(
      execa,
      container.wrap(program, args),
      request,
      tag,
      output,
      container.kind === 'pid-namespace',
    );
  } catch (error) {
    // Options are validated synchronously (e.g. an environment value with a NUL byte).
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, detail: describeSpawnError(program, code, (error as Error).message) };
  }
  // Whatever goes wrong with the process later (a failed kill) must not be an unhandled 'error' event.
  const failed = new Promise<NodeJS.ErrnoException>((resolve) => subprocess.on('error', resolve));

  const { pid } = subprocess;
  if (pid === undefined) {
    // A spawn failure is reported as an 'error' event carrying the errno code.
    const failure = await failed;
    return { ok: false, detail: describeSpawnError(program, failure.code, failure.message) };
  }

  const exitOf = new Promise<LeaderExit>((resolve) => {
    subprocess.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const reaped = exitOf.then(() => {});
  const status = subprocess.stdio[3] as Readable | null | undefined;
  if (container.kind !== 'pid-namespace' || !status) {
    return { ok: true, pid, exited: exitOf, reaped, isContainer: () => false };
  }

  const reports = initReports(status);
  const opening = await reports.next();
  if (opening === undefined || opening.kind !== 'started') {
    await exitOf;
    const errno = opening?.kind === 'not-started' ? opening.errno : undefined;
    const code = errno === undefined ? undefined : errnoName(errno);
    const how = errno === undefined ? 'its container did not start' : `errno ${errno}`;
    return { ok: false, detail: describeSpawnError(program, code, how) };
  }
  // The command's own end as its init saw it; unshare's exit only counts when the init could not tell
  // (the container was killed with SIGKILL).
  const exited = reports.next().then(async (report): Promise<LeaderExit> => {
    if (report?.kind === 'exited') return { exitCode: report.exitCode, signal: null, alone: report.alone };
    if (report?.kind === 'killed') {
      return { exitCode: null, signal: signalName(report.signal), alone: report.alone };
    }
    return exitOf;
  });
  // unshare leads the group; its only child is the namespace's init.
  return { ok: true, pid, exited, reaped, isContainer: (p, ppid) => p === pid || ppid === pid };
}

/** The init's reports, one at a time; undefined once the pipe closed without another. */
function initReports(stream: Readable): { next(): Promise<InitReport | undefined> } {
  const queue: (InitReport | undefined)[] = [];
  const waiting: ((report: InitReport | undefined) => void)[] = [];
  let buffer = '';
  const push = (report: InitReport | undefined): void => {
    const waiter = waiting.shift();
    if (waiter) waiter(report);
    else queue.push(report);
  };
  stream.setEncoding('latin1');
  stream.on('data', (text: string) => {
    buffer += text;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const report = parseInitReport(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (report) push(report);
    }
  });
  const closed = (): void => {
    for (let i = 0; i < 3; i++) push(undefined);
  };
  stream.once('close', closed);
  stream.on('error', () => {});
  return {
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise<InitReport | undefined>((resolve) => waiting.push(resolve)),
  };
}

function errnoName(errno: number): string | undefined {
  return Object.entries(constants.errno).find(([, value]) => value === errno)?.[0];
}

function signalName(signal: number): string {
  return Object.entries(constants.signals).find(([, value]) => value === signal)?.[0] ?? `signal ${signal}`;
}

/** A shell command line in a one-line message. */
function shorten(commandLine: string): string {
  const oneLine = commandLine.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}

type Execa = typeof import('execa').execa;

let execaModule: Promise<typeof import('execa')> | undefined;

/**
 * execa, loaded on first use and no sooner: its modules are a good part of the CLI's start-up, which
 * commands that start no task (explain-timeout, history, compare) need not pay, and which a run overlaps
 * with loading its suite (LocalExecutor asks for it when it is made).
 */
export function loadExeca(): Promise<typeof import('execa')> {
  execaModule ??= import('execa');
  return execaModule;
}

function startProcess(
  execa: Execa,
  command: { file: string; args: string[] },
  request: ExecRequest,
  tag: string,
  output: TaskOutput,
  withStatusPipe: boolean,
): ChildProcess {
  return execa(command.file, command.args, {
    cwd: request.cwd,
    env: { ...request.env, [TASK_TAG_VAR]: tagValue(process.env[TASK_TAG_VAR], tag) },
    extendEnv: true,
    detached: true,
    // fd 3 carries the namespace init's reports; the init closes it before the command starts.
    // Any descriptor number works (execa hands it to Node's spawn); execa's types list only 1 to 9.
    stdio: (withStatusPipe
      ? ['ignore', output.stdout, output.stderr, 'pipe']
      : ['ignore', output.stdout, output.stderr]) as unknown as ['ignore', 1, 2],
    buffer: false,
    reject: false,
    shell: false,
    // Group kills are ours: execa's own timeouts and exit cleanup only reach the direct child.
    cleanup: false,
    windowsHide: true,
  });
}
