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
 * A flood: a read after a change notification found this much, or notifications came closer together
 * than FLOOD_GAP_MS. The reader then stops being notified, which costs the writer a kernel event per write
 * (measured: 200 MB written in 0.29 s, 0.42 s with a watch on the file), and looks every FLOOD_LOOK_MS
 * instead, until a look finds nothing new.
 */
const FLOOD_READ_BYTES = 64 * 1024;
const FLOOD_GAP_MS = 1;
const FLOOD_LOOK_MS = 4;

/**
 * A stream of what a task writes to one of its spool files, read behind the writer: the task writes to
 * the file directly (the kernel copies, the runner never slows it down), and this reads whatever is new
 * when the file changes. The change notifications of all the files a runner watches arrive in the order
 * the writes happened, and each is read at once (a read of the page cache), so the task's stdout and
 * stderr come out in the order it wrote them, as far as the notifications tell them apart: a runner held
 * up for longer than the task waits between writes to its two streams reads both streams' news together,
 * as it would from two pipes. It ends once end() said no writer is left and everything written was read.
 * A 'data' chunk is only valid during its event: the buffer is reused once the listener returns.
 */
export class SpoolReader extends Readable {
  private position = 0;
  private writersGone = false;
  private ended = false;
  /** Set when reading stopped before the end of the file (the consumer is full, or the turn is over). */
  private behind = false;
  private continuing: NodeJS.Immediate | undefined;
  /** Set while change notifications are wanted: not during a flood, and not once the reader ended. */
  private watcher: FSWatcher | undefined;
  private watchable = true;
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  /** Set during a flood: the next look. */
  private floodLook: NodeJS.Timeout | undefined;
  /** The reader of the task's other stream, read first when this one is told of a change (see look). */
  private other: SpoolReader | undefined;
  private lookAgain: NodeJS.Timeout | undefined;
  private readBytes = MIN_READ_BYTES;
  /** The read buffer, kept while reads follow each other and dropped once the reader has caught up. */
  private buffer: Buffer | undefined;

  /** Watches the file from the start: create it before the task can write. */
  constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {
    super({ highWaterMark: MAX_READ_BYTES });
    this.watch();
    this.lookEvery(this.watchable ? LOOK_AGAIN_MS : LOOK_AGAIN_UNWATCHED_MS);
  }

  /**
   * Pairs the readers of a task's two streams. When one is told of a change while the other is flooding
   * (looked at on a timer, not told), the other is read first: what it holds was written before the change.
   */
  static pair(stdout: SpoolReader, stderr: SpoolReader): void {
    stdout.other = stderr;
    stderr.other = stdout;
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
    if (this.behind) process.nextTick(() => this.look(false));
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

  private watch(): void {
    if (this.watcher !== undefined || !this.watchable) return;
    try {
      this.watcher = watch(this.path, { persistent: false }, () => this.look(true));
      this.watcher.on('error', () => {});
    } catch {
      // The watch limit was reached (after a flood, by other watchers since): look more often instead.
      this.watchable = false;
      if (this.lookAgain !== undefined) this.lookEvery(LOOK_AGAIN_UNWATCHED_MS);
    }
  }

  private lookEvery(ms: number): void {
    clearInterval(this.lookAgain);
    this.lookAgain = setInterval(() => this.look(false), ms);
    this.lookAgain.unref();
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /**
   * The file may have grown (`told`: a change notification said so): reads what is new. In a flood the
   * reader stops being told of every write and looks on a timer; once a look finds nothing new it asks to
   * be told again, and reads once more for a write that came before the watch did.
   */
  private look(told: boolean): void {
    if (this.ended || this.destroyed) return;
    clearTimeout(this.floodLook);
    this.floodLook = undefined;
    const now = performance.now();
    let flooding = false;
    if (told) {
      if (this.other?.floodLook !== undefined) this.other.look(false);
      flooding = now - this.lastChangeAt < FLOOD_GAP_MS;
      this.lastChangeAt = now;
    }
    const taken = this.pull();
    if (this.ended || this.isPaused()) return;
    if (taken >= FLOOD_READ_BYTES || flooding || (taken > 0 && this.watcher === undefined)) {
      this.unwatch();
      this.floodLook = setTimeout(() => this.look(false), FLOOD_LOOK_MS);
      this.floodLook.unref();
    } else if (this.watcher === undefined) {
      this.watch();
      this.pull();
    }
  }

  /** Reads what is new now, as long as the consumer takes it and the turn lasts; returns the bytes read. */
  private pull(): number {
    if (this.destroyed || this.ended || this.isPaused()) {
      this.behind = !this.ended;
      return 0;
    }
    let taken = 0;
    for (;;) {
      if (taken >= TURN_BYTES) {
        this.behind = true;
        this.continuing ??= setImmediate(() => {
          this.continuing = undefined;
          this.pull();
        });
        return taken;
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
        return taken;
      }
      if (bytes === 0) {
        this.behind = false;
        this.buffer = undefined;
        this.readBytes = MIN_READ_BYTES;
        if (this.writersGone) this.finish();
        return taken;
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
        return taken;
      }
    }
  }

  private finish(): void {
    this.ended = true;
    this.stopWatching();
    this.push(null);
  }

  private stopWatching(): void {
    this.unwatch();
    this.watchable = false;
    clearTimeout(this.floodLook);
    this.floodLook = undefined;
    clearInterval(this.lookAgain);
    if (this.continuing !== undefined) clearImmediate(this.continuing);
    this.continuing = undefined;
  }
}
