/**
 * Finds the lines of one raw output stream that detectLimitSignal should read, without decoding the
 * stream: every limit message contains "429", "limit" or "token", so a chunk is first searched for those
 * bytes natively, and only a chunk that has one is cut into lines and decoded. Like the line path, only
 * the first SEARCH_BYTES of a line are searched; a line split across reads is searched whole.
 */
export class ChunkLimitScanner {
  /** The start of the current unterminated line (at most SEARCH_BYTES), from earlier chunks. */
  private carry: Buffer = EMPTY;
  /** Whether the carried line start holds a candidate: the line is searched once it ends. */
  private carryHolds = false;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (!this.mayHold(bytes)) {
      if (lastNewline >= 0) this.carry = copyStart(bytes.subarray(lastNewline + 1));
      else if (this.carry.length < SEARCH_BYTES) {
        this.carry = Buffer.concat([this.carry, bytes.subarray(0, SEARCH_BYTES - this.carry.length)]);
      }
      return;
    }
    const text = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    const end = lastNewline < 0 ? 0 : this.carry.length + lastNewline + 1;
    let start = 0;
    while (start < end) {
      const newline = text.indexOf(NEWLINE, start);
      this.search(text.subarray(start, newline));
      start = newline + 1;
    }
    this.carry = copyStart(text.subarray(end));
    this.carryHolds = hasCandidate(this.carry);
  }

  /** End of the stream: a last line without a newline is searched too. */
  end(): void {
    if (this.carry.length > 0) this.search(this.carry);
    this.carry = EMPTY;
    this.carryHolds = false;
  }

  /** Whether the chunk, or a line carried over and continued by it, may hold a limit message. */
  private mayHold(bytes: Buffer): boolean {
    if (this.carryHolds || hasCandidate(bytes)) return true;
    if (this.carry.length === 0 || this.carry.length >= SEARCH_BYTES) return false;
    // A word cut in two by the read: the carried line's end joined to the chunk's start.
    const head = bytes.subarray(0, Math.min(bytes.length, LONGEST_WORD));
    const tail = this.carry.subarray(Math.max(0, this.carry.length - LONGEST_WORD));
    return hasCandidate(Buffer.concat([tail, head]));
  }

  private search(line: Buffer): void {
    const start = line.subarray(0, SEARCH_BYTES);
    if (!hasCandidate(start)) return;
    let text = start.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine(text);
  }
}

const NEWLINE = 10;
const EMPTY = Buffer.alloc(0);
/** Bytes of a line searched for a limit message, as the line path searches its first 4096 characters. */
export const SEARCH_BYTES = 4096;
/**
 * Byte sequences one of which every candidate ("429", "limit", "token" in any case the messages use)
 * contains; case-insensitive matching itself happens in detectLimitSignal on the decoded line.
 */
const CANDIDATES = ['429', 'imit', 'IMIT', 'oken', 'OKEN'].map((word) => Buffer.from(word));
const LONGEST_WORD = 5;

function hasCandidate(bytes: Buffer): boolean {
  for (const word of CANDIDATES) if (bytes.includes(word)) return true;
  return false;
}

/** A copy of at most SEARCH_BYTES of the line's start, so the chunk it came from is not kept alive. */
function copyStart(bytes: Buffer): Buffer {
  if (bytes.length === 0) return EMPTY;
  return Buffer.from(bytes.subarray(0, SEARCH_BYTES));
}
