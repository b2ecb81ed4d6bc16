import { close, constants, open, write } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ByteBuffer } from './byte-buffer.js';

const openFile = promisify(open);
/**
 * Like 'w', plus O_NONBLOCK: a FIFO in place of a log fails at once (ENXIO) instead of blocking a thread
 * of the pool until a reader comes, which would also keep the runner from ever exiting. Regular files
 * ignore the flag.
 */
const WRITE_NEVER_BLOCKING =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK;
const closeFile = promisify(close);

/** Output waiting for the disk beyond this asks the producer to pause. */
const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * The full output of one task on disk, double-buffered: output is copied into the back buffer (so the
 * caller's chunks die young, see ByteBuffer) while the front one is being written; when a write completes
 * the buffers swap and everything that arrived meanwhile goes out in one write, so the file stays current
 * for `tail -f`. The buffers grow only as large as the bursts of output need and are reused.
 * After a write error (disk full) the log stops, the task does not, and close() reports the error.
 */
export class LogFile {
  private front: ByteBuffer | undefined;
  private back: ByteBuffer | undefined;
  private writing = false;
  private error: Error | undefined;
  private drainWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /** Creates parent folders and opens (truncates) the file; rejects with a readable message when it cannot. */
  static open(path: string): Promise<LogFile> {
    return openCreatingFolder(path, async (at) => new LogFile(at, await openFile(at, WRITE_NEVER_BLOCKING)));
  }

  /** Always takes the bytes; false when the caller should wait for drained() before writing more. */
  write(bytes: Uint8Array): boolean {
    if (this.error || bytes.length === 0) return true;
    this.back ??= new ByteBuffer(1024);
    this.back.append(bytes);
    if (!this.writing) this.writeBack();
    return !this.backedUp();
  }

  drained(): Promise<void> {
    if (this.error || !this.backedUp()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is left and closes the file; returns the first write error, if any. */
  async close(): Promise<Error | undefined> {
    if (this.writing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    try {
      await closeFile(this.fd);
    } catch (error) {
      this.error ??= error as Error;
    }
    return this.error;
  }

  private backedUp(): boolean {
    return (this.back?.length ?? 0) >= MAX_PENDING_BYTES;
  }

  private writeBack(): void {
    const ready = this.back;
    if (this.error || !ready || ready.length === 0) {
      this.release();
      return;
    }
    this.back = this.front;
    this.front = ready;
    this.writing = true;
    const bytes = ready.view();
    this.writeAll(bytes, 0, (error) => {
      this.writing = false;
      ready.clear();
      if (error) {
        this.error ??= error;
        this.back?.clear();
      }
      this.writeBack();
    });
    this.release();
  }

  private writeAll(bytes: Buffer, from: number, done: (error: Error | null) => void): void {
    write(this.fd, bytes, from, bytes.length - from, null, (error, written) => {
      if (error) return done(error);
      if (from + written < bytes.length) return this.writeAll(bytes, from + written, done);
      done(null);
    });
  }

  private release(): void {
    if (!this.backedUp()) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (!this.writing) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

/**
 * Opens what a task's log needs at `path`, making the log's folder when it is missing; rejects with a
 * one-line message naming the log.
 */
export async function openCreatingFolder<T>(path: string, opener: (path: string) => Promise<T>): Promise<T> {
  try {
    return await opener(path);
  } catch (error) {
    // The folder exists for every task but a run's first: only then is it made (one round trip fewer).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw logError(path, error);
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    return await opener(path);
  } catch (error) {
    throw logError(path, error);
  }
}

function logError(path: string, error: unknown): Error {
  return new Error(`cannot write the log file ${path}: ${(error as Error).message}`);
}
