import { JUDGE_AGAIN_MS, judgeEvents } from '../../src/exec/output/output-sink.js';
import { RepeatMemory } from '../../src/exec/output/repeated-output.js';
import type { AgentEvent } from '../../src/exec/types.js';
import type { Watchdog } from '../../src/exec/watchdog/watchdog.js';
import {
  type AgentEventSort,
  EVENT_KEEP_ALIVE,
  EVENT_RETRY,
  EVENT_TOOL_END,
  EVENT_TOOL_START,
  EVENT_WORK,
} from './timeline.js';

/**
 * The one place the benchmark turns a simulated event into what the real watchdog is told, the way the
 * output sink tells it: output judged new or repeated by the product's RepeatMemory, an agent's events
 * judged by the product's judgeEvents, its open tool calls counted, CPU and I/O as /proc samples with the
 * bytes of big calls apart. What counts as progress is the watchdog's business, never decided here.
 */

const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const WORDS = [
  'compiling',
  'linking',
  'parser',
  'module',
  'reading',
  'writing',
  'checking',
  'tests',
  'cache',
  'index',
  'request',
  'response',
  'schema',
  'tokens',
  'server',
  'client',
  'build',
  'bundle',
  'assets',
  'routes',
  'handler',
  'queue',
  'worker',
  'store',
  'session',
  'config',
  'models',
  'views',
  'layout',
  'render',
  'lexer',
  'emit',
  'resolve',
  'import',
  'export',
  'types',
  'verify',
  'fetch',
  'upload',
  'migrate',
  'query',
  'table',
  'column',
  'record',
  'stream',
  'buffer',
  'socket',
  'thread',
  'lock',
  'timer',
  'retry',
  'backoff',
  'report',
  'summary',
  'diff',
  'patch',
  'commit',
  'branch',
  'merge',
  'review',
  'docs',
  'story',
  'chapter',
  'scene',
] as const;

/**
 * The text of a simulated line. New content is three words drawn from the line's time, so two lines differ
 * in words and not only in numbers (which the product reads as the same line); frame 1 is one line
 * repeated, frames 2 and up the glyphs of a spinner after a carriage return.
 */
export function lineText(atMs: number, bytes: number, frame: number): string {
  if (frame === 1) return 'waiting for the server...';
  if (frame > 1) return `\r${SPINNER[(frame - 2) % SPINNER.length]}`.slice(0, Math.max(2, bytes));
  let h = Math.imul(atMs ^ 0x5bd1e995, 0x9e3779b1) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < 3; i++) {
    words.push(WORDS[h % WORDS.length]!);
    h = Math.floor(h / WORDS.length) ^ Math.imul(h, 0x85ebca6b);
    h >>>= 0;
  }
  const text = words.join(' ');
  return bytes > text.length ? text.padEnd(bytes, '.') : text;
}

function eventsOf(sort: AgentEventSort): AgentEvent[] {
  switch (sort) {
    case EVENT_WORK:
      return [{ type: 'content', what: 'assistant' }];
    case EVENT_KEEP_ALIVE:
      return [{ type: 'keep-alive', what: 'ping' }];
    case EVENT_RETRY:
      return [{ type: 'keep-alive', what: 'api_retry' }];
    case EVENT_TOOL_START:
      return [{ type: 'tool-start', name: 'Bash' }];
    case EVENT_TOOL_END:
      return [{ type: 'tool-end' }];
  }
}

/** One run's signals into one watchdog. */
export class ProgressFeed {
  private readonly memory = new RepeatMemory();
  private openTools = 0;
  private readonly judgedNewAt = { stdout: Number.NEGATIVE_INFINITY, stderr: Number.NEGATIVE_INFINITY };

  constructor(
    private readonly watchdog: Watchdog,
    /** Whether stdout is a parsed agent event stream. */
    private readonly agentEvents: boolean,
    /**
     * `plain`: every line and event counts as progress, as in the CI and Jenkins limits the baselines stand
     * for; `product`: judged by the product's rules.
     */
    private readonly rules: 'plain' | 'product' = 'product',
  ) {}

  line(atMs: number, bytes: number, frame: number): void {
    if (this.rules === 'plain') {
      this.watchdog.progress('stdout', atMs);
      return;
    }
    const text = lineText(atMs, bytes, frame);
    if (this.agentEvents && frame === 0) {
      // An agent's stdout line is one of its events, judged with whether the line itself is new.
      this.events(atMs, eventsOf(EVENT_WORK), () => this.memory.isNew(text));
      return;
    }
    // Plain output, or an agent's spinner (on stderr): judged as a chunk, as it arrives, and like the
    // output sink not again within JUDGE_AGAIN_MS of a chunk that was new.
    const stream = this.agentEvents ? 'stderr' : 'stdout';
    if (atMs - this.judgedNewAt[stream] < JUDGE_AGAIN_MS) return;
    const isNew = this.memory.chunkIsNew(text);
    if (isNew) this.judgedNewAt[stream] = atMs;
    this.watchdog.progress(stream, atMs, { strength: isNew ? 'real' : 'repeat' });
  }

  agentEvent(atMs: number, sort: AgentEventSort): void {
    if (this.rules === 'plain') {
      this.watchdog.progress('agent-event', atMs);
      return;
    }
    if (!this.agentEvents) {
      // A CLI whose events are not parsed: its event line is plain output.
      this.line(atMs, 80, 0);
      return;
    }
    this.events(atMs, eventsOf(sort), () => true);
  }

  sample(atMs: number, cpuMs: number, ioBytes: number, usefulIoBytes: number): void {
    this.watchdog.activity({ cpuMs, ioBytes, usefulIoBytes }, atMs);
  }

  /** As the output sink does: tool calls opened or closed first, then what the events amount to. */
  private events(atMs: number, events: AgentEvent[], lineIsNew: () => boolean): void {
    const before = this.openTools;
    let name: string | undefined;
    for (const event of events) {
      if (event.type === 'tool-start') {
        this.openTools++;
        name = event.name;
      } else if (event.type === 'tool-end') this.openTools = Math.max(0, this.openTools - 1);
    }
    if (this.openTools !== before) this.watchdog.tools(this.openTools, name, atMs);
    const detail = judgeEvents(events, lineIsNew);
    if (detail !== undefined) this.watchdog.progress('agent-event', atMs, detail);
  }
}
