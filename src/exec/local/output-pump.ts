import type { OutputSink } from '../output/output-sink.js';
import type { OutputSpool } from '../output/output-spool.js';

/** Output read before the task's start was announced, kept in order; beyond this, reading waits. */
const MAX_EARLY_BYTES = 1024 * 1024;

type Stream = 'stdout' | 'stderr';

/**
 * Moves what a task writes to its spool files into its sink, pausing the reading (never the task) while
 * the sink's consumers catch up. Reading starts before the task does, so that both files are read in the
 * order the task wrote them from its first byte on; what arrives before open() (before the task's start
 * was announced to the hooks) waits, in that order.
 */
export class OutputPump {
  /** Since when reading has been held for the sink; the runner cannot see the output meanwhile. */
  private heldSince: number | undefined;
  private waiting = false;
  private early: Array<[Stream, Buffer]> | undefined = [];
  private earlyBytes = 0;
  /** Told how long reading was held each time it resumes: that is not the task's silence. */
  onResumed: (heldMs: number, now: number) => void = () => {};

  constructor(
    private readonly spool: OutputSpool,
    private readonly sink: OutputSink,
  ) {
    const { stdout, stderr } = spool;
    stdout.on('data', (chunk: Buffer) => this.take('stdout', chunk));
    stderr.on('data', (chunk: Buffer) => this.take('stderr', chunk));
    // A read error only ends that stream; the process is judged on its own.
    stdout.on('error', () => {});
    stderr.on('error', () => {});
  }

  /** The task's start has been announced: what was read so far goes to the sink, and from now on all. */
  open(): void {
    const early = this.early;
    if (early === undefined) return;
    this.early = undefined;
    for (const [stream, chunk] of early) this.deliver(stream, chunk);
    if (!this.waiting) this.resume();
  }

  private take(stream: Stream, chunk: Buffer): void {
    if (this.early === undefined) {
      this.deliver(stream, chunk);
      return;
    }
    // The reader reuses its buffer: what waits is a copy.
    this.early.push([stream, Buffer.from(chunk)]);
    this.earlyBytes += chunk.length;
    if (this.earlyBytes >= MAX_EARLY_BYTES) this.pause();
  }

  private deliver(stream: Stream, chunk: Buffer): void {
    if (this.sink.write(stream, chunk) || this.waiting) return;
    this.waiting = true;
    this.heldSince = performance.now();
    this.pause();
    void this.sink.drained().then(() => {
      this.waiting = false;
      const now = performance.now();
      this.onResumed(this.takeHeld(now), now);
      this.heldSince = undefined;
      this.resume();
    });
  }

  private pause(): void {
    this.spool.stdout.pause();
    this.spool.stderr.pause();
  }

  private resume(): void {
    this.spool.stdout.resume();
    this.spool.stderr.resume();
  }

  /** Time reading has been held since the last call (none when it is not held). */
  takeHeld(now: number): number {
    if (this.heldSince === undefined) return 0;
    const held = Math.max(0, now - this.heldSince);
    this.heldSince = now;
    return held;
  }
}
