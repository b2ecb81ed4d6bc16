/**
 * The first `headBytes` and the last `tailBytes` of a byte stream in two fixed buffers allocated once, so
 * memory does not depend on the stream's size and streaming through it allocates nothing. Decoded at the
 * end as UTF-8: invalid bytes become U+FFFD and a character cut at either edge is dropped, not mangled.
 */
export class OutputWindow {
  /** Allocated on the first output, so the many tasks that print nothing cost nothing. */
  private head: Buffer | undefined;
  private headUsed = 0;
  private ring: Buffer | undefined;
  /** Next write position in the ring, and whether it has wrapped at least once. */
  private ringPos = 0;
  private ringFull = false;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.head ??= Buffer.alloc(Math.max(0, this.headBytes));
    this.ring ??= Buffer.alloc(Math.max(0, this.tailBytes));
    if (this.headUsed < this.head.length) {
      const take = Math.min(bytes.length, this.head.length - this.headUsed);
      this.head.set(bytes.subarray(0, take), this.headUsed);
      this.headUsed += take;
    }
    const size = this.ring.length;
    if (size === 0) return;
    // Only the last `size` bytes of a large chunk can survive.
    const tail = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    const first = Math.min(tail.length, size - this.ringPos);
    this.ring.set(tail.subarray(0, first), this.ringPos);
    if (first < tail.length) this.ring.set(tail.subarray(first), 0);
    const end = this.ringPos + tail.length;
    if (end >= size) this.ringFull = true;
    this.ringPos = end % size;
  }

  headText(): string {
    if (!this.head) return '';
    const bytes = this.head.subarray(0, this.headUsed);
    return decode(bytes.subarray(0, completeEnd(bytes)));
  }

  tailText(): string {
    if (!this.ring) return '';
    const bytes = this.ringFull
      ? Buffer.concat([this.ring.subarray(this.ringPos), this.ring.subarray(0, this.ringPos)])
      : this.ring.subarray(0, this.ringPos);
    const start = this.ringFull ? characterStart(bytes) : 0;
    return decode(bytes.subarray(start));
  }
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Skips continuation bytes (10xxxxxx) at the start: the rest of a character whose beginning was dropped. */
function characterStart(bytes: Uint8Array): number {
  let start = 0;
  while (start < bytes.length && start < 3 && (bytes[start]! & 0xc0) === 0x80) start++;
  return start;
}

/** The end of `bytes` without a last multi-byte character that was cut short. */
function completeEnd(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    // A lead byte: how long its sequence should be.
    const needed = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? length - back : length;
  }
  return length;
}
