import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The real CLI writes its session transcript to a .jsonl file even while stdout is silent, so file growth
 * and I/O counters show life. This imitates that under a directory of the caller's choosing.
 */
export class Transcript {
  readonly path: string;
  private ticks = 0;

  constructor(
    dir: string,
    private readonly sessionId: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${sessionId}.jsonl`);
  }

  record(type: string, fields: Record<string, unknown> = {}): void {
    const line = JSON.stringify({
      type,
      sessionId: this.sessionId,
      timestamp: new Date().toISOString(),
      ...fields,
    });
    appendFileSync(this.path, `${line}\n`);
  }

  /** Called periodically during a silence. */
  tick(silence: string): void {
    this.record('progress', { silence, tick: ++this.ticks });
  }
}
