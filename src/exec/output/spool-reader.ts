import { close, type FSWatcher, readSync, watch } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * Bytes asked of the file per read: small for a task that prints a line now and then, doubling while reads
 * come back full, so that a flood costs few reads and an idle reader holds no buffer at all.
 */
const MIN_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 256 * 1024;
/** Read in one turn of the event loop at most; a flood goes on in the next turn, so the loop stays free. */
const TURN_BYTES = 4 * 1024 * 1024;
/**
 * How often a reader looks again without being told the file changed: a safety net for file systems
 * whose change notifications do not arrive (network mounts). Notifications wake it at once.
 */
const LOOK_AGAIN_MS = 1000;
/** The same, where change notifications cannot be had at all (the watch limit is reached). */
const LOOK_AGAIN_UNWATCHED_MS = 100;

/**
 * A stream of what a task writes to one of its spool files, read behind the writer: the task writes to
 * the file directly (the kernel copies, the runner never slows it down), and this reads whatever is new
 * when the file changes. The change notifications of all the files a runner watches arrive in the order
 * the writes happened, and each is read at once (a read of the page cache), so the task's stdout and
 * stderr come out in the order it wrote them, as far as the notifications tell them apart. It ends once
 * end() said no writer is left and everything written was read.
 * A 'data' chunk is only valid during its event: the buffer is reused once the listener returns.
 */
export class SpoolReader extends Readable {
  private position = 0;
  private writersGone = false;
  private ended = false;
  /** Set when reading stopped before the end of the file (the consumer is full, or the turn is over). */
  private behind = false;
  private continuing: NodeJS.Immediate | undefined;
  private readonly watcher: FSWatcher | undefined;
  private readonly lookAgain: NodeJS.Timeout;
  private readBytes = MIN_READ_BYTES;
  /** The read buffer, kept while reads follow each other and dropped once the reader has caught up. */
  private buffer: Buffer | undefined;

  /** Watches the file from the start: create it before the task can write. */
  constructor(
    private readonly fd: number,
    path: string,
  ) {
    super({ highWaterMark: MAX_READ_BYTES });
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(path, { persistent: false }, () => this.pull());
      watcher.on('error', () => {});
    } catch {
      watcher = undefined;
    }
    this.watcher = watcher;
    this.lookAgain = setInterval(() => this.pull(), watcher ? LOOK_AGAIN_MS : LOOK_AGAIN_UNWATCHED_MS);
    this.lookAgain.unref();
  }

  /** No process writes to the file any more: read what is left, then end. */
  end(): void {
    this.writersGone = true;
    this.pull();
  }

  /**
   * Reading resumes after a pause: what was written meanwhile is read now. The stream's own resume asks
   * _read() only when it is not already waiting on one, and no change may be notified any more (the task
   * may be gone), which would leave the rest to the once-a-second look.
   */
  override resume(): this {
    super.resume();
    if (this.behind) process.nextTick(() => this.pull());
    return this;
  }

  override _read(): void {
    // Asked for more: only a reader that stopped early has more at hand; the others wait for a change.
    if (this.behind || this.writersGone) this.pull();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stopWatching();
    close(this.fd, () => callback(error));
  }

  /** Reads what is new now, as long as the consumer takes it and the turn lasts. */
  private pull(): void {
    if (this.destroyed || this.ended || this.isPaused()) {
      this.behind = !this.ended;
      return;
    }
    let taken = 0;
    for (;;) {
      if (taken >= TURN_BYTES) {
        this.behind = true;
        this.continuing ??= setImmediate(() => {
          this.continuing = undefined;
          this.pull();
        });
        return;
      }
      if (this.buffer === undefined || this.buffer.length !== this.readBytes) {
        this.buffer = Buffer.allocUnsafe(this.readBytes);
      }
      const buffer = this.buffer;
      let bytes: number;
      try {
        bytes = readSync(this.fd, buffer, 0, buffer.length, this.position);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      if (bytes === 0) {
        this.behind = false;
        this.buffer = undefined;
        this.readBytes = MIN_READ_BYTES;
        if (this.writersGone) this.finish();
        return;
      }
      this.position += bytes;
      taken += bytes;
      if (bytes === buffer.length) this.readBytes = Math.min(MAX_READ_BYTES, 2 * this.readBytes);
      const more = this.push(buffer.subarray(0, bytes));
      // Queued rather than handed to a listener at once (nobody reads yet, or reading is paused): the
      // queue owns that buffer now.
      if (this.readableLength > 0) this.buffer = undefined;
      if (!more || this.isPaused()) {
        this.behind = true;
        return;
      }
    }
  }

  private finish(): void {
    this.ended = true;
    this.stopWatching();
    this.push(null);
  }

  private stopWatching(): void {
    this.watcher?.close();
    clearInterval(this.lookAgain);
    if (this.continuing !== undefined) clearImmediate(this.continuing);
    this.continuing = undefined;
  }
}
