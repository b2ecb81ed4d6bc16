import type { ExecResult, LiveStatus } from '../exec/types.js';
import type { AttemptResult, RunReport } from '../run/types.js';
import type { TaskSpec } from '../suite/types.js';
import type { AttemptStart, Reporter, RunStartInfo } from './types.js';

export interface MultiplexerOptions {
  /** Where a warning goes when no reporter takes it (e.g. only file reporters are active). */
  warn?: (message: string) => void;
}

type Hook = keyof Reporter;

const writeToStderr = (message: string): void => {
  process.stderr.write(`warning: ${message}\n`);
};

function nameOf(reporter: Reporter, index: number): string {
  const named = (reporter as { name?: unknown }).name;
  if (typeof named === 'string' && named !== '') return named;
  const ctor = (reporter as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : `#${index + 1}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Fans every hook out to many reporters. One broken reporter (a full disk for the JUnit file, a bug in a
 * formatter) must not cost the user the other outputs or the run itself, so each call is isolated and the
 * first failure of each reporter becomes one warning.
 */
export class Multiplexer implements Reporter {
  readonly name = 'multiplexer';
  private readonly reporters: readonly Reporter[];
  private readonly warned = new Set<Reporter>();
  private readonly warn: (message: string) => void;

  constructor(reporters: readonly Reporter[], options: MultiplexerOptions = {}) {
    this.reporters = [...reporters];
    this.warn = options.warn ?? writeToStderr;
  }

  onBegin(info: RunStartInfo): void {
    this.each('onBegin', (r) => r.onBegin?.(info));
  }

  onTaskBegin(start: AttemptStart): void {
    this.each('onTaskBegin', (r) => r.onTaskBegin?.(start));
  }

  onTaskStatus(task: TaskSpec, attempt: number, status: LiveStatus): void {
    this.each('onTaskStatus', (r) => r.onTaskStatus?.(task, attempt, status));
  }

  onTaskEnd(task: TaskSpec, result: AttemptResult, raw: ExecResult, willRetry: boolean): void {
    this.each('onTaskEnd', (r) => r.onTaskEnd?.(task, result, raw, willRetry));
  }

  onWarning(message: string): void {
    this.broadcastWarning(message, undefined);
  }

  /**
   * In order, one at a time: the terminal reporters come first so the progress bars are gone before the
   * summary prints, and a file that could not be written is reported by the reporters that follow.
   */
  async onEnd(report: RunReport): Promise<void> {
    for (const [index, reporter] of this.reporters.entries()) {
      try {
        await reporter.onEnd?.(report);
      } catch (error) {
        this.failed(reporter, index, 'onEnd', error);
      }
    }
  }

  private each(hook: Hook, call: (reporter: Reporter) => void): void {
    for (const [index, reporter] of this.reporters.entries()) {
      try {
        call(reporter);
      } catch (error) {
        this.failed(reporter, index, hook, error);
      }
    }
  }

  private failed(reporter: Reporter, index: number, hook: Hook, error: unknown): void {
    if (this.warned.has(reporter)) return;
    this.warned.add(reporter);
    const message = `reporter ${nameOf(reporter, index)} failed in ${hook}: ${messageOf(error)}; its output may be incomplete`;
    this.broadcastWarning(message, reporter);
  }

  private broadcastWarning(message: string, skip: Reporter | undefined): void {
    let delivered = false;
    for (const reporter of this.reporters) {
      if (reporter === skip || reporter.onWarning === undefined) continue;
      try {
        reporter.onWarning(message);
        delivered = true;
      } catch {
        // A reporter that cannot even print a warning has nothing more to tell; the others still get it.
      }
    }
    if (!delivered) this.warn(message);
  }
}

export function createMultiplexer(reporters: readonly Reporter[], options?: MultiplexerOptions): Reporter {
  return new Multiplexer(reporters, options);
}
