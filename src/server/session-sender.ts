import type WebSocket from 'ws';
import { notification } from '../exec/ws-protocol.js';

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
  /** Total output bytes dropped during this session, for tests and the health page. */
  totalDroppedBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: SenderLimits,
    private readonly onOverflow: () => void,
  ) {}

  get open(): boolean {
    return this.socket.readyState === 1;
  }

  /** Responses and notifications other than output: never dropped, but a peer that never reads is closed. */
  send(frame: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > this.limits.hardLimitBytes) {
      this.onOverflow();
      return;
    }
    this.socket.send(frame);
  }

  /** One `process.output` payload (a line with its newline, or one chunk of a long line). */
  output(
    stream: 'stdout' | 'stderr',
    data: string,
    chunkIndex: number | null,
    totalChunks: number | null,
  ): void {
    if (!this.open) return;
    if (this.dropping()) {
      const bytes = Buffer.byteLength(data);
      this.droppedBytes += bytes;
      this.totalDroppedBytes += bytes;
      if (data.endsWith('\n')) this.droppedLines += 1;
      this.watchDrain();
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
    );
  }

  /** Once dropping, output resumes only when half the bound has drained, so markers do not alternate with lines. */
  private dropping(): boolean {
    const buffered = this.socket.bufferedAmount;
    if (this.droppedBytes > 0) return buffered > this.limits.maxBufferedBytes / 2;
    return buffered > this.limits.maxBufferedBytes;
  }

  /** Sends the drop marker now if anything was dropped; called before `process.completed`. */
  reportDropped(): void {
    if (this.droppedBytes === 0 || !this.open) return;
    const marker =
      `[cc-stress server: dropped ${this.droppedBytes} bytes (${this.droppedLines} lines) of output ` +
      'because the client read more slowly than the process wrote]\n';
    this.droppedBytes = 0;
    this.droppedLines = 0;
    this.stopWatching();
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

  stopWatching(): void {
    if (this.drainTimer !== undefined) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** A process that went quiet after a flood still gets its marker once the client has caught up. */
  private watchDrain(): void {
    if (this.drainTimer !== undefined) return;
    this.drainTimer = setInterval(() => {
      if (!this.open) return this.stopWatching();
      if (this.socket.bufferedAmount <= this.limits.maxBufferedBytes / 2) this.reportDropped();
    }, 100);
    this.drainTimer.unref();
  }
}
