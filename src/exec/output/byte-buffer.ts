/**
 * Bytes appended into one reusable buffer that grows by doubling and is then kept. Output passes through
 * such buffers instead of being held as the stream's own chunks: a chunk kept across an asynchronous gap
 * (a disk write, the next read) tends to reach V8's old generation, where chunk after chunk piles up until
 * the next full collection. Copying into a long-lived buffer lets every chunk die young.
 */
export class ByteBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(initialBytes = 4096) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.used;
  }

  append(bytes: Uint8Array): void {
    const needed = this.used + bytes.length;
    if (needed > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < needed) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.used);
    this.used = needed;
  }

  /** The bytes so far; valid until the next append or clear. */
  view(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  clear(): void {
    this.used = 0;
  }
}
