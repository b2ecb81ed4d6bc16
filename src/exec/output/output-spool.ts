import { closeSync, constants, openSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { openCreatingFolder } from './log-file.js';
import { SpoolReader } from './spool-reader.js';
import { SpooledLog } from './spooled-log.js';

// Plain descriptors, not FileHandles: a FileHandle closes its descriptor when it is garbage-collected.
/**
 * O_APPEND so that every process of the task appends (a shell and its children share the file), and
 * O_NONBLOCK so that a FIFO in place of a log fails at once (ENXIO) instead of blocking until a reader
 * comes. Regular files ignore the latter.
 */
const CHILD_WRITES =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND | constants.O_NONBLOCK;

/**
 * A task's output on its way to the log without passing through the runner: the task's stdout is the
 * log file itself and its stderr a file beside it (`<log>.stderr`), both written by the kernel at disk
 * speed whatever the runner is doing. The runner reads both files behind the task (SpoolReader) for the
 * watchdog, the agent parser, the expectations and the head/tail window, and merges them into one log
 * when the task is over (SpooledLog). If the runner dies, the output so far is in those two files.
 */
export class OutputSpool {
  readonly stdout: SpoolReader;
  readonly stderr: SpoolReader;
  readonly log: SpooledLog;
  private childFds: { stdout: number; stderr: number } | undefined;

  private constructor(
    path: string,
    fds: { stdout: number; stderr: number; readStdout: number; readStderr: number },
  ) {
    const stderrPath = stderrPathOf(path);
    this.childFds = { stdout: fds.stdout, stderr: fds.stderr };
    this.stdout = new SpoolReader(fds.readStdout, path);
    this.stderr = new SpoolReader(fds.readStderr, stderrPath);
    SpoolReader.pair(this.stdout, this.stderr);
    this.log = new SpooledLog(path, stderrPath, () => this.close());
  }

  /** Creates (truncates) both files, making the log's folder if needed; rejects with a one-line message. */
  static create(path: string): Promise<OutputSpool> {
    return openCreatingFolder(path, async (at) => OutputSpool.openAll(at));
  }

  /**
   * Opened on the event loop, as the files are read: four local opens take microseconds, where two round
   * trips to the thread pool, shared with every task's reads and closes, took about half a millisecond of
   * a short task's start. The files must exist before they are opened for reading.
   */
  private static openAll(path: string): OutputSpool {
    const opened: number[] = [];
    try {
      for (const [at, flags] of [
        [path, CHILD_WRITES],
        [stderrPathOf(path), CHILD_WRITES],
        [path, constants.O_RDONLY],
        [stderrPathOf(path), constants.O_RDONLY],
      ] as const) {
        opened.push(openSync(at, flags));
      }
      const [stdout, stderr, readStdout, readStderr] = opened as [number, number, number, number];
      return new OutputSpool(path, { stdout, stderr, readStdout, readStderr });
    } catch (error) {
      for (const fd of opened) closeSync(fd);
      throw error;
    }
  }

  /** The descriptors the task writes to (its fd 1 and 2); valid until released. */
  get fds(): { stdout: number; stderr: number } {
    if (this.childFds === undefined) throw new Error('the spool was already released');
    return this.childFds;
  }

  /** The task has its own copies of the descriptors (or never started): the runner's are closed. */
  releaseChildFds(): void {
    if (this.childFds === undefined) return;
    closeSync(this.childFds.stdout);
    closeSync(this.childFds.stderr);
    this.childFds = undefined;
  }

  /** No process of the task is left: reads what is left of both files and resolves once both are read. */
  async drain(): Promise<void> {
    // The change notifications of the task's last writes may still wait in the kernel: let one poll of the
    // event loop take them, so the last bytes too are read in the order they were written. An immediate
    // set from a check phase runs after the next poll, which does not block while it is pending (a timer
    // would cost a millisecond a task).
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    this.stdout.end();
    this.stderr.end();
    await Promise.all([ended(this.stdout), ended(this.stderr)]);
  }

  /** Stops reading and closes every descriptor the runner holds. */
  async close(): Promise<void> {
    this.releaseChildFds();
    this.stdout.destroy();
    this.stderr.destroy();
    await Promise.all([ended(this.stdout), ended(this.stderr)]);
  }
}

function stderrPathOf(path: string): string {
  return `${path}.stderr`;
}

/** Settles once the stream ended, failed or was destroyed. */
function ended(stream: SpoolReader): Promise<void> {
  return finished(stream).catch(() => {});
}
