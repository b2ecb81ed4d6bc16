import { ByteBuffer } from './byte-buffer.js';

/** A partial line longer than this goes out unfinished rather than being held back. */
export const MAX_HELD_BYTES = 64 * 1024;

/**
 * Cuts one byte stream into runs that end with a newline, so that two streams written to one log
 * interleave by whole lines, while bytes stay exactly as the task wrote them (invalid UTF-8 included).
 * Works on raw bytes: a newline byte never occurs inside a multi-byte UTF-8 character.
 * Runs are handed to `emit` synchronously and are only valid during that call.
 */
export class LineAlignedBytes {
  private held: ByteBuffer | undefined;

  constructor(private readonly maxHeldBytes = MAX_HELD_BYTES) {}

  push(chunk: Uint8Array, emit: (run: Uint8Array) => void): void {
    if (chunk.length === 0) return;
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline < 0) {
      this.hold(chunk);
      if ((this.held?.length ?? 0) >= this.maxHeldBytes) this.flush(emit);
      return;
    }
    this.flush(emit);
    emit(chunk.subarray(0, lastNewline + 1));
    if (lastNewline + 1 < chunk.length) this.hold(chunk.subarray(lastNewline + 1));
  }

  /** Everything held back (at the end of the stream, or when the hold would grow too large). */
  flush(emit: (run: Uint8Array) => void): void {
    if (!this.held || this.held.length === 0) return;
    emit(this.held.view());
    this.held.clear();
  }

  private hold(bytes: Uint8Array): void {
    this.held ??= new ByteBuffer(1024);
    this.held.append(bytes);
  }
}
