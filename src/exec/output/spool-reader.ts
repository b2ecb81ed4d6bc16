import { close, type FSWatcher, read, watch } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * Bytes asked of the file per read: small for a task that prints a line now and then, doubling while reads
 * come back full, so that a flood costs few reads and an idle reader holds no buffer at all.
 */
const MIN_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 256 * 1024;
/**
 * How often a caught-up reader looks again without being told the file changed: a safety net for file
 * systems whose change notifications do not arrive (network mounts). Notifications wake it at once.
 */
const LOOK_AGAIN_MS = 1000;
/** The same, where change notifications cannot be had at all (the watch limit is reached). */
const LOOK_AGAIN_UNWATCHED_MS = 100;

/**
 * A stream of what a task writes to one of its spool files, read behind the writer: the task writes to
 * the file directly (the kernel copies, the runner never slows it down), and this reads whatever is new
 * as the file changes. It ends once end() said no writer is left and everything written was read.
 * A 'data' chunk is only valid during its event: the buffer is reused once the listener returns.
 */
export class SpoolReader extends Readable {
  private position = 0;
  private reading = false;
  private caughtUp = false;
  private writersGone = false;
  private watcher: FSWatcher | undefined;
  private watchFailed = false;
  private lookAgain: NodeJS.Timeout | undefined;
  private readBytes = MIN_READ_BYTES;
  /** The read buffer, kept while reads follow each other and dropped once the reader has caught up. */
  private buffer: Buffer | undefined;

  constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {
    super({ highWaterMark: MAX_READ_BYTES });
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.position;
  }

  /** No process writes to the file any more: read what is left, then end. */
  end(): void {
    this.writersGone = true;
    if (this.caughtUp) this.wake();
  }

  override _read(): void {
    this.readMore();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopWaiting();
    close(this.fd, () => callback(error));
  }

  private readMore(): void {
    if (this.reading || this.destroyed) return;
    this.reading = true;
    if (this.buffer === undefined || this.buffer.length !== this.readBytes) {
      this.buffer = Buffer.allocUnsafe(this.readBytes);
    }
    const buffer = this.buffer;
    read(this.fd, buffer, 0, buffer.length, this.position, (error, bytes) => {
      this.reading = false;
      if (this.destroyed) return;
      if (error) {
        this.destroy(error);
        return;
      }
      if (bytes === 0) {
        this.buffer = undefined;
        this.readBytes = MIN_READ_BYTES;
        if (this.writersGone) this.push(null);
        else this.waitForMore();
        return;
      }
      this.position += bytes;
      if (bytes === buffer.length) this.readBytes = Math.min(MAX_READ_BYTES, 2 * this.readBytes);
      const more = this.push(buffer.subarray(0, bytes));
      // Queued rather than handed to a listener at once (nobody reads yet, or reading is paused): the
      // queue owns that buffer now.
      if (this.readableLength > 0) this.buffer = undefined;
      if (more) this.readMore();
    });
  }

  private waitForMore(): void {
    this.caughtUp = true;
    if (this.watcher === undefined && !this.watchFailed) {
      try {
        this.watcher = watch(this.path, { persistent: false }, () => this.wake());
        this.watcher.on('error', () => this.unwatch());
      } catch {
        this.watchFailed = true;
      }
    }
    this.lookAgain ??= setTimeout(
      () => {
        this.lookAgain = undefined;
        this.wake();
      },
      this.watcher === undefined ? LOOK_AGAIN_UNWATCHED_MS : LOOK_AGAIN_MS,
    );
  }

  private wake(): void {
    if (!this.caughtUp) return;
    this.caughtUp = false;
    if (this.lookAgain !== undefined) clearTimeout(this.lookAgain);
    this.lookAgain = undefined;
    this.readMore();
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchFailed = true;
  }

  private stopWaiting(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.lookAgain !== undefined) clearTimeout(this.lookAgain);
    this.lookAgain = undefined;
  }
}
