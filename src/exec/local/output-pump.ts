import type { OutputSink } from '../output/output-sink.js';
import type { OutputSpool } from '../output/output-spool.js';
import { HeldTime } from '../watchdog/held-time.js';

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
  /** Reading held for the sink: the runner cannot see the output meanwhile. */
  readonly held = new HeldTime();
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
    if (!this.held.holding) this.resume();
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
    if (this.sink.write(stream, chunk) || this.held.holding) return;
    this.held.hold(performance.now());
    this.pause();
    void this.sink.drained().then(() => {
      const now = performance.now();
      this.onResumed(this.held.release(now), now);
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
}
