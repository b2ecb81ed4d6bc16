import { once } from 'node:events';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { burnCpu } from './busy.js';
import { spawnStubbornGrandchild } from './grandchild.js';
import type { FakeAgentOptions } from './options.js';
import type { Ending, Plan, Silence, Step } from './timeline.js';
import { Transcript } from './transcript.js';
import type { FormatWriter, Output } from './writers/index.js';

const TRANSCRIPT_TICK_MS = 200;
/** Exit code of a process ended by SIGTERM, as the real CLI reports it. */
const SIGTERM_EXIT = 143;

async function flushAndExit(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

/** Keeps the process alive and doing nothing, forever. */
function idleForever(): Promise<never> {
  return new Promise<never>(() => {
    setInterval(() => {}, 2 ** 30);
  });
}

/** Plays a planned session in real time: waits, prints, and ends the way the plan says. */
export class SessionPlayer {
  private eventsPlayed = 0;
  private readonly transcript: Transcript | undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly plan: Plan,
    private readonly options: FakeAgentOptions,
    private readonly writer: FormatWriter,
  ) {
    this.transcript =
      options.transcriptDir === undefined ? undefined : new Transcript(options.transcriptDir, plan.sessionId);
  }

  async play(): Promise<never> {
    this.handleSignals();
    if (this.options.grandchild) {
      const pid = spawnStubbornGrandchild();
      process.stderr.write(`fake-agent: started grandchild ${pid ?? '?'} that ignores SIGTERM\n`);
    }
    for (const step of this.plan.steps) await this.run(step);
    // A plan always ends with an `end` step; reaching here means it did not.
    return flushAndExit(0);
  }

  private handleSignals(): void {
    process.on('SIGTERM', () => {
      if (this.options.ignoreSigterm) {
        process.stderr.write('fake-agent: ignoring SIGTERM\n');
        return;
      }
      process.exit(SIGTERM_EXIT);
    });
    // Interrupted by the user: the real CLI exits 0, without a result line.
    process.on('SIGINT', () => process.exit(0));
    process.stdout.on('error', () => process.exit(1));
  }

  private async run(step: Step): Promise<void> {
    await this.wait(step.waitMs, step.silence);
    const event = step.event;
    // hang-after:N counts what the agent does, not lines, so it hangs the same way in every output mode.
    if (this.plan.hangAfterEvents !== undefined && this.eventsPlayed >= this.plan.hangAfterEvents) {
      return idleForever();
    }
    this.eventsPlayed++;
    this.transcript?.record(event.type);
    if (event.type === 'end') return this.end(event.ending);
    await this.write(this.writer.event(event));
  }

  private async wait(ms: number, silence: Silence): Promise<void> {
    if (ms <= 0) return;
    const transcript = this.transcript;
    const ticker =
      transcript === undefined ? undefined : setInterval(() => transcript.tick(silence), TRANSCRIPT_TICK_MS);
    try {
      if (this.options.busy) await burnCpu(ms);
      else await sleep(ms);
    } finally {
      clearInterval(ticker);
    }
  }

  private async write(output: Output): Promise<void> {
    for (const line of output.stderr) process.stderr.write(`${line}\n`);
    for (const line of output.stdout) {
      if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
    }
  }

  private async end(ending: Ending): Promise<void> {
    switch (ending.kind) {
      case 'hang':
        return idleForever();
      case 'busy-hang':
        for (;;) await burnCpu(1000);
      case 'output-loop':
        return this.loopForever();
      case 'crash':
        return this.crash(ending.how);
      default: {
        const durationMs = Math.round(performance.now() - this.startedAt);
        const { exitCode, ...output } = this.writer.finish(ending, durationMs);
        await this.write(output);
        return flushAndExit(exitCode);
      }
    }
  }

  private async loopForever(): Promise<never> {
    for (let i = 0; ; i++) {
      await this.write({ stdout: [this.writer.loopLine(i)], stderr: [] });
      if (i % 64 === 0) await yieldToLoop();
    }
  }

  /** Dies mid-line, the way a segfault cuts a stream: the last line is never finished. */
  private async crash(how: 'segv' | 'abort' | 'exit'): Promise<never> {
    const partial = this.writer.loopLine(0);
    process.stdout.write(partial.slice(0, Math.floor(partial.length / 2)));
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    if (how === 'abort') process.abort();
    if (how === 'segv') process.kill(process.pid, 'SIGSEGV');
    // SIGSEGV is delivered asynchronously; if anything intercepts it, still die like a shell reports a segfault.
    await sleep(1000);
    process.exit(139);
  }
}
