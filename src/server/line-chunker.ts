import { MAX_OUTPUT_CHUNK } from '../protocol/messages.js';

export type ChunkSink = (data: string, chunkIndex: number | null, totalChunks: number | null) => void;

/** Up to this much of one unterminated line is held back so its chunks can say how many there are. */
export const HELD_LINE_CHARS = 16 * MAX_OUTPUT_CHUNK;

/**
 * Turns one stream's lines (which may arrive in pieces) into `process.output` payloads: a line keeps its
 * newline; a line longer than 65,536 characters becomes numbered chunks. A line too long to hold is
 * streamed with `total_chunks` null until its last chunk, so memory stays bounded for endless lines.
 */
export class LineChunker {
  private held = '';
  /** Index of the next chunk while a long line is being streamed; undefined when not streaming. */
  private nextIndex: number | undefined;

  constructor(
    private readonly sink: ChunkSink,
    private readonly heldChars = HELD_LINE_CHARS,
  ) {}

  /** `terminated`: the piece ends its line (the newline is added back). */
  piece(text: string, terminated: boolean): void {
    const line = terminated ? `${text}\n` : text;
    if (this.held === '' && this.nextIndex === undefined && terminated && line.length <= MAX_OUTPUT_CHUNK) {
      this.sink(line, null, null);
      return;
    }
    this.held += line;
    if (terminated) {
      this.finishLine();
      return;
    }
    if (this.held.length > this.heldChars) this.streamFullChunks();
  }

  /** End of the stream: a last line without a newline is sent as it is. */
  flush(): void {
    if (this.held !== '' || this.nextIndex !== undefined) this.finishLine();
  }

  private finishLine(): void {
    const chunks = splitChunks(this.held);
    this.held = '';
    if (this.nextIndex === undefined) {
      if (chunks.length === 1) this.sink(chunks[0]!, null, null);
      else {
        for (const [index, chunk] of chunks.entries()) this.sink(chunk, index, chunks.length);
      }
      return;
    }
    const first = this.nextIndex;
    this.nextIndex = undefined;
    // A streamed line always ends with a chunk that carries the total, even an empty one.
    if (chunks.length === 0) chunks.push('');
    const total = first + chunks.length;
    for (const [offset, chunk] of chunks.entries()) {
      this.sink(chunk, first + offset, first + offset === total - 1 ? total : null);
    }
  }

  private streamFullChunks(): void {
    let index = this.nextIndex ?? 0;
    let start = 0;
    while (this.held.length - start > MAX_OUTPUT_CHUNK) {
      const end = cutAt(this.held, start);
      this.sink(this.held.slice(start, end), index, null);
      index += 1;
      start = end;
    }
    this.held = this.held.slice(start);
    this.nextIndex = index;
  }
}

function splitChunks(text: string): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = cutAt(text, start);
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** The end of the chunk starting at `start`, never between the two halves of a surrogate pair. */
function cutAt(text: string, start: number): number {
  const end = Math.min(text.length, start + MAX_OUTPUT_CHUNK);
  if (end === text.length) return end;
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}
