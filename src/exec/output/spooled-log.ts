import { open, rename, unlink } from 'node:fs/promises';
import type { OutputStream } from './output-sink.js';

/**
 * Alternations between the streams remembered for the merge; beyond this (a million alternating lines),
 * the rest of each stream follows in one piece, so memory stays bounded whatever the task prints.
 */
const MAX_RUNS = 1 << 20;
const COPY_BYTES = 1024 * 1024;

/**
 * A task's log when the task writes its output to files itself (see OutputSpool): stdout goes to the log
 * path, stderr to a file beside it. The sink tells this log, in order, which whole lines of which stream
 * it read; on close the two files become one log interleaved line by line in that order. When only one
 * stream printed anything, that file simply becomes the log: a flood of output is never copied.
 */
export class SpooledLog {
  /** Lengths of consecutive runs of one stream, in the order they were read; stdout first. */
  private readonly runs: number[] = [0];
  /** Bytes read after the run list was full, per stream. */
  private readonly rest: Record<OutputStream, number> = { stdout: 0, stderr: 0 };

  constructor(
    readonly path: string,
    readonly stderrPath: string,
    /** Stops reading the files; called before they are merged. */
    private readonly release: () => Promise<void>,
  ) {}

  /** Whole lines of one stream, as the sink read them; never asks the caller to wait. */
  write(bytes: Uint8Array, stream: OutputStream): boolean {
    const length = bytes.length;
    if (length === 0) return true;
    const current = (this.runs.length - 1) % 2 === 0 ? 'stdout' : 'stderr';
    if (stream === current) this.runs[this.runs.length - 1]! += length;
    else if (this.runs.length < MAX_RUNS) this.runs.push(length);
    else this.rest[stream] += length;
    return true;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  /** Makes the one log file; returns what went wrong, if anything (the output stays in the two files then). */
  async close(): Promise<Error | undefined> {
    await this.release();
    try {
      if (this.total('stderr') === 0) await unlink(this.stderrPath);
      else if (this.total('stdout') === 0) await rename(this.stderrPath, this.path);
      else await this.merge();
      return undefined;
    } catch (error) {
      return error as Error;
    }
  }

  private total(stream: OutputStream): number {
    let bytes = this.rest[stream];
    for (let index = stream === 'stdout' ? 0 : 1; index < this.runs.length; index += 2)
      bytes += this.runs[index]!;
    return bytes;
  }

  private async merge(): Promise<void> {
    const merging = `${this.path}.merging`;
    const sources = { stdout: await open(this.path, 'r'), stderr: await open(this.stderrPath, 'r') };
    const target = await open(merging, 'w');
    try {
      const offsets = { stdout: 0, stderr: 0 };
      const buffer = Buffer.allocUnsafe(COPY_BYTES);
      const copy = async (stream: OutputStream, length: number): Promise<void> => {
        let left = length;
        while (left > 0) {
          const { bytesRead } = await sources[stream].read(
            buffer,
            0,
            Math.min(left, COPY_BYTES),
            offsets[stream],
          );
          if (bytesRead === 0) return;
          await target.write(buffer, 0, bytesRead);
          offsets[stream] += bytesRead;
          left -= bytesRead;
        }
      };
      for (const [index, length] of this.runs.entries())
        await copy(index % 2 === 0 ? 'stdout' : 'stderr', length);
      await copy('stdout', this.rest.stdout);
      await copy('stderr', this.rest.stderr);
    } finally {
      await Promise.allSettled([target.close(), sources.stdout.close(), sources.stderr.close()]);
    }
    await rename(merging, this.path);
    await unlink(this.stderrPath);
  }
}
