import { MAX_OUTPUT_CHUNK } from '../protocol/messages.js';

export type OutputStream = 'stdout' | 'stderr';

export interface TakenBatch {
  stream: OutputStream;
  data: string;
  lines: number;
}

/**
 * Whole lines of one stream collected to go out as one `process.output`, for clients that asked for it
 * (`batch_output`): one frame per line costs a send, a parse and a log write per line on either side, which
 * is what made a flood of short lines outrun the client. Lines of the other stream, chunks of long lines and
 * other frames end the batch first, so the order of everything the client sees stays the order of output.
 */
export class OutputBatch {
  private parts: string[] = [];
  private chars = 0;
  private stream: OutputStream = 'stdout';

  constructor(private readonly maxChars = MAX_OUTPUT_CHUNK) {}

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** Whether `line` may join the batch; if not, take() the batch first. */
  fits(stream: OutputStream, line: string): boolean {
    return this.empty || (stream === this.stream && this.chars + line.length <= this.maxChars);
  }

  add(stream: OutputStream, line: string): void {
    this.stream = stream;
    this.parts.push(line);
    this.chars += line.length;
  }

  take(): TakenBatch | undefined {
    if (this.empty) return undefined;
    const batch = { stream: this.stream, data: this.parts.join(''), lines: this.parts.length };
    this.parts = [];
    this.chars = 0;
    return batch;
  }
}
