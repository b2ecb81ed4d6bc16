/** A line longer than this is passed on in pieces, so one endless line costs bounded memory. */
export const MAX_LINE_CHARS = 64 * 1024;

const DECODED_BYTES = 64 * 1024;

/** `terminated` is false for a piece of an over-long line and for a last line without a newline. */
export type LineHandler = (line: string, terminated: boolean) => void;

/**
 * Decodes one byte stream as UTF-8 (invalid bytes become U+FFFD, sequences split across chunks are joined)
 * and cuts it into lines without their "\n" (or "\r\n").
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private pending = '';

  constructor(
    private readonly onLine: LineHandler,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: Uint8Array): void {
    // Decoded in pieces: a string over about 128 KiB lives in V8's large-object space, freed only by a full
    // collection, so decoding a large chunk whole would hold megabytes of text long after it was read.
    for (let start = 0; start < chunk.length; start += DECODED_BYTES) {
      this.text(this.decoder.decode(chunk.subarray(start, start + DECODED_BYTES), { stream: true }));
    }
  }

  /** End of stream: an incomplete UTF-8 sequence becomes U+FFFD and a last unterminated line is passed on. */
  end(): void {
    this.text(this.decoder.decode());
    if (this.pending.length > 0) {
      const rest = this.pending;
      this.pending = '';
      this.onLine(rest, false);
    }
  }

  private text(text: string): void {
    if (text.length === 0) return;
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      let line =
        this.pending.length > 0 ? this.pending + text.slice(start, newline) : text.slice(start, newline);
      this.pending = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.emit(line);
      start = newline + 1;
    }
    if (start < text.length) this.pending += start === 0 ? text : text.slice(start);
    while (this.pending.length >= this.maxLineChars) {
      const cut = this.cutAt(this.pending);
      this.onLine(this.pending.slice(0, cut), false);
      this.pending = this.pending.slice(cut);
    }
  }

  /** A complete line, in pieces when it is longer than the cap; only the last piece is terminated. */
  private emit(line: string): void {
    let rest = line;
    while (rest.length > this.maxLineChars) {
      const cut = this.cutAt(rest);
      this.onLine(rest.slice(0, cut), false);
      rest = rest.slice(cut);
    }
    this.onLine(rest, true);
  }

  /** Never split a surrogate pair between two pieces. */
  private cutAt(text: string): number {
    const cut = this.maxLineChars;
    return isHighSurrogate(text.charCodeAt(cut - 1)) ? cut - 1 : cut;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
