import type WebSocket from 'ws';
import { binaryOutputFrame, notification } from '../protocol/messages.js';
import { OutputBatch, type OutputStream } from './output-batch.js';

export interface SenderLimits {
  /** Output is dropped while the socket holds more than this many unsent bytes. */
  maxBufferedBytes: number;
  /**
   * Beyond this, even small frames (responses, notifications) are not queued: the peer sends requests but
   * never reads, and the session is closed to protect the others.
   */
  hardLimitBytes: number;
}

/**
 * Everything a session sends goes through here, so memory per session stays bounded: the socket's own
 * buffered amount is the measure (no second queue), output beyond the bound is dropped and counted, and
 * the count is reported as one marker line once the client catches up (or before the process completes).
 */
export class SessionSender {
  private droppedBytes = 0;
  private droppedLines = 0;
  private drainTimer: NodeJS.Timeout | undefined;
  /** Set while the current execute asked for several lines per `process.output`. */
  private batch: OutputBatch | undefined;
  private flushScheduled: NodeJS.Immediate | undefined;
  /** Total output bytes dropped during this session, for tests and the health page. */
  totalDroppedBytes = 0;
  /** Waiting for the socket to drain before more output is read from the process. */
  private drainWaiters: Array<() => void> = [];
  private readonly afterWrite = (): void => this.wakeDrainWaiters();

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: SenderLimits,
    private readonly onOverflow: () => void,
    /** Every byte of output dropped, as it is dropped (the server's running total). */
    private readonly onDropped: (bytes: number) => void = () => {},
  ) {}

  get open(): boolean {
    return this.socket.readyState === 1;
  }

  /** Whether the output of the execute about to start may be sent several whole lines per frame. */
  batchOutput(on: boolean): void {
    this.flushOutput();
    this.batch = on ? new OutputBatch() : undefined;
  }

  /** Responses and notifications other than output: never dropped, but a peer that never reads is closed. */
  send(frame: string): void {
    if (!this.open) return;
    // Output printed before whatever this frame reports goes out before it.
    this.flushOutput();
    if (this.socket.bufferedAmount > this.limits.hardLimitBytes) {
      this.onOverflow();
      return;
    }
    this.socket.send(frame);
  }

  /**
   * One `process.output` payload (a line with its newline, or one chunk of a long line); whole lines wait
   * for the rest of their batch when the client asked for batches.
   */
  output(stream: OutputStream, data: string, chunkIndex: number | null, totalChunks: number | null): void {
    if (!this.open) return;
    const batch = this.batch;
    if (batch !== undefined && chunkIndex === null && totalChunks === null && data.endsWith('\n')) {
      if (!batch.fits(stream, data)) this.flushOutput();
      batch.add(stream, data);
      // Everything one read of the pipe yields goes out together, without waiting any longer than that.
      this.flushScheduled ??= setImmediate(() => {
        this.flushScheduled = undefined;
        this.flushOutput();
      });
      return;
    }
    this.flushOutput();
    this.sendOutput(stream, data, chunkIndex, totalChunks, data.endsWith('\n') ? 1 : 0);
  }

  /**
   * Raw output as a binary frame, for a client that asked for `binary_output`. The reader of the output
   * is expected to wait while full(); output is still dropped beyond the bound, should it not.
   */
  chunk(stream: OutputStream, bytes: Uint8Array): void {
    if (!this.open) return;
    this.flushOutput();
    if (this.dropping()) {
      this.drop(bytes.length, 0);
      return;
    }
    this.reportDropped();
    this.socket.send(binaryOutputFrame(stream, bytes), { binary: true }, this.afterWrite);
  }

  /**
   * Whether the reading of the process's output should wait for the client. It waits rather than drops,
   * since the output waits in the task's files meanwhile, not in memory.
   */
  full(): boolean {
    return this.open && this.socket.bufferedAmount > this.paceBytes;
  }

  /**
   * Resolves once the socket holds at most half the pacing bound or is closed, or after `maxWaitMs`
   * however far behind the client is: a client that stopped reading then loses output beyond the bound
   * (counted in the marker line) rather than holding the process's completion back forever.
   */
  drained(maxWaitMs: number): Promise<void> {
    if (!this.open || this.socket.bufferedAmount <= this.paceBytes / 2) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(wake, maxWaitMs);
      timer.unref();
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.drainWaiters.push(wake);
    });
  }

  /** The output of a process that ended: the last batch, then the drop marker if anything was dropped. */
  finishOutput(): void {
    this.flushOutput();
    this.reportDropped();
  }

  /** The session is over: nothing may fire after it, and nothing waits for the socket any more. */
  stopTimers(): void {
    this.wakeDrainWaiters(true);
    if (this.drainTimer !== undefined) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
    if (this.flushScheduled !== undefined) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
  }

  private flushOutput(): void {
    const taken = this.batch?.take();
    if (taken !== undefined) this.sendOutput(taken.stream, taken.data, null, null, taken.lines);
  }

  private sendOutput(
    stream: OutputStream,
    data: string,
    chunkIndex: number | null,
    totalChunks: number | null,
    lines: number,
  ): void {
    if (!this.open) return;
    if (this.dropping()) {
      this.drop(Buffer.byteLength(data), lines);
      return;
    }
    this.reportDropped();
    this.socket.send(
      notification('process.output', {
        type: stream,
        data,
        truncated: false,
        chunk_index: chunkIndex,
        total_chunks: totalChunks,
      }),
      this.afterWrite,
    );
  }

  private drop(bytes: number, lines: number): void {
    this.droppedBytes += bytes;
    this.totalDroppedBytes += bytes;
    this.droppedLines += lines;
    this.onDropped(bytes);
    this.watchDrain();
  }

  /** Output is paced well below the bound beyond which it is dropped. */
  private get paceBytes(): number {
    return this.limits.maxBufferedBytes / 4;
  }

  private wakeDrainWaiters(all = false): void {
    if (this.drainWaiters.length === 0) return;
    if (!all && this.open && this.socket.bufferedAmount > this.paceBytes / 2) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Once dropping, output resumes only when half the bound has drained, so markers do not alternate with lines. */
  private dropping(): boolean {
    const buffered = this.socket.bufferedAmount;
    if (this.droppedBytes > 0) return buffered > this.limits.maxBufferedBytes / 2;
    return buffered > this.limits.maxBufferedBytes;
  }

  /** Sends the drop marker now if anything was dropped. */
  private reportDropped(): void {
    if (this.droppedBytes === 0 || !this.open) return;
    const marker =
      `[cc-stress server: dropped ${this.droppedBytes} bytes (${this.droppedLines} lines) of output ` +
      'because the client read more slowly than the process wrote]\n';
    this.droppedBytes = 0;
    this.droppedLines = 0;
    if (this.drainTimer !== undefined) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
    this.socket.send(
      notification('process.output', {
        type: 'stderr',
        data: marker,
        truncated: true,
        chunk_index: null,
        total_chunks: null,
      }),
    );
  }

  /** A process that went quiet after a flood still gets its marker once the client has caught up. */
  private watchDrain(): void {
    if (this.drainTimer !== undefined) return;
    this.drainTimer = setInterval(() => {
      if (!this.open) return this.stopTimers();
      if (this.socket.bufferedAmount <= this.limits.maxBufferedBytes / 2) this.reportDropped();
    }, 100);
    this.drainTimer.unref();
  }
}
