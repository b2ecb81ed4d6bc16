import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  judgeEvents,
  OutputSink,
  type OutputSinkOptions,
  type OutputStream,
} from '../../../src/exec/output/output-sink.js';
import { defaultExpectations } from '../../../src/suite/expect.js';

const fresh = () => true;
const seen = () => false;

describe('judgeEvents', () => {
  it('counts work as real progress, named by its most telling event', () => {
    expect(judgeEvents([{ type: 'turn' }, { type: 'tool-start', name: 'Bash' }], seen)).toEqual({
      strength: 'real',
      what: 'tool_use (Bash)',
    });
    expect(judgeEvents([{ type: 'tool-end' }], seen)).toEqual({ strength: 'real', what: 'tool_result' });
    expect(judgeEvents([{ type: 'content', what: 'content_block_delta' }], seen)).toEqual({
      strength: 'real',
      what: 'content_block_delta',
    });
  });

  it('counts a status line as real while it is new, and as a repeat after', () => {
    const status = [{ type: 'heartbeat', what: 'task_progress' } as const];
    expect(judgeEvents(status, fresh)).toEqual({ strength: 'real', what: 'task_progress' });
    expect(judgeEvents(status, seen)).toEqual({ strength: 'repeat', what: 'task_progress' });
  });

  it('never counts a keep-alive or a retry as work, new or not', () => {
    const retry = [
      { type: 'keep-alive', what: 'api_retry' } as const,
      { type: 'api-error', status: 529, fatal: false } as const,
    ];
    expect(judgeEvents(retry, fresh)).toEqual({ strength: 'keep-alive', what: 'api_retry' });
    expect(judgeEvents([{ type: 'keep-alive', what: 'ping' }], fresh)).toEqual({
      strength: 'keep-alive',
      what: 'ping',
    });
  });

  it('compares only heartbeat lines with recent output', () => {
    let compared = 0;
    const count = () => {
      compared++;
      return true;
    };
    judgeEvents([{ type: 'content', what: 'text' }], count);
    judgeEvents([{ type: 'keep-alive', what: 'ping' }], count);
    expect(compared).toBe(0);
    judgeEvents([{ type: 'heartbeat', what: 'status' }], count);
    expect(compared).toBe(1);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function options(extra: Partial<OutputSinkOptions> = {}): OutputSinkOptions {
  files += 1;
  return {
    logPath: join(dir, `task-${files}.log`),
    headBytes: 16,
    tailBytes: 16,
    agent: 'none',
    expect: defaultExpectations(),
    ...extra,
  };
}

/** Bytes a task might write: lines on both streams, invalid UTF-8, a character split across chunks. */
const chunks: [OutputStream, Buffer][] = [
  ['stdout', Buffer.from('first line\nsecond ')],
  ['stderr', Buffer.from('an error\n')],
  ['stdout', Buffer.from([0x6c, 0x69, 0x6e, 0x65, 0xff, 0x0a, 0xe2, 0x82])],
  ['stdout', Buffer.from([0xac, 0x0a])],
  ['stderr', Buffer.from('unterminated')],
];

async function feed(o: OutputSinkOptions) {
  const sink = await OutputSink.open(o);
  for (const [stream, bytes] of chunks) sink.write(stream, bytes);
  const outcome = await sink.finish(0);
  return { outcome, log: readFileSync(o.logPath) };
}

describe('OutputSink', () => {
  it('keeps the same log, window and counts whether or not anything reads the output as lines', async () => {
    const raw = await feed(options());
    const lines: string[] = [];
    const withLines = await feed(
      options({ onOutput: (stream, line, terminated) => lines.push(`${stream}:${line}:${terminated}`) }),
    );
    expect(raw.log.equals(withLines.log)).toBe(true);
    expect(raw.outcome).toEqual(withLines.outcome);
    // The log holds the bytes exactly as written, invalid ones included, interleaved by whole lines.
    expect(raw.log.includes(Buffer.from([0x65, 0xff, 0x0a]))).toBe(true);
    expect(raw.log.toString('latin1')).toMatch(/^first line\nan error\nsecond line/);
    expect(raw.outcome.stdoutBytes).toBe(28);
    expect(raw.outcome.stderrBytes).toBe(21);
    expect(raw.outcome.outputTail).toMatch(/unterminated$/);
    expect(lines).toEqual([
      'stdout:first line:true',
      'stderr:an error:true',
      'stdout:second line\uFFFD:true',
      'stdout:€:true',
      'stderr:unterminated:false',
    ]);
  });

  it('still judges line expectations when nothing else reads lines', async () => {
    const expectations = defaultExpectations();
    expectations.stdout.contains = ['never printed'];
    expectations.stderr.notContains = ['an error'];
    const { outcome } = await feed(options({ expect: expectations }));
    expect(outcome.failures).toHaveLength(2);
    expect(outcome.failures.join('\n')).toMatch(/never printed/);
    expect(outcome.failures.join('\n')).toMatch(/an error/);
  });
});
