import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputSpool } from '../../../src/exec/output/output-spool.js';
import { scratchDir } from '../support/local-tasks.js';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a shell script writing straight to the spool's files; resolves with its exit. */
function runWriting(spool: OutputSpool, script: string): Promise<void> {
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', spool.fds.stdout, spool.fds.stderr] });
  spool.releaseChildFds();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Shell that waits (at most about five seconds) until the file exists: the test's reader makes it. */
function waitFor(file: string): string {
  return `i=0; while [ ! -e '${file}' ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done`;
}

function collect(spool: OutputSpool): { stdout: Buffer[]; stderr: Buffer[]; order: string[] } {
  const seen = { stdout: [] as Buffer[], stderr: [] as Buffer[], order: [] as string[] };
  spool.stdout.on('data', (chunk: Buffer) => {
    seen.stdout.push(Buffer.from(chunk));
    seen.order.push(`out:${chunk.toString()}`);
  });
  spool.stderr.on('data', (chunk: Buffer) => {
    seen.stderr.push(Buffer.from(chunk));
    seen.order.push(`err:${chunk.toString()}`);
  });
  return seen;
}

/**
 * Runs a script into a spool whose reader tells the log what it read, as the sink does, and makes the
 * one log: its text, once the stderr file beside it is gone.
 */
async function oneLog(
  name: string,
  script: string,
  onRead?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
): Promise<string> {
  const path = join(dir, name);
  const spool = await OutputSpool.create(path);
  for (const stream of ['stdout', 'stderr'] as const) {
    spool[stream].on('data', (chunk: Buffer) => {
      spool.log.write(chunk, stream);
      onRead?.(stream, chunk);
    });
  }
  await runWriting(spool, script);
  await spool.drain();
  expect(await spool.log.close()).toBeUndefined();
  expect(existsSync(`${path}.stderr`)).toBe(false);
  return readFileSync(path, 'utf8');
}

describe('a task writing its output to files, read behind it', () => {
  it('passes output on while the task still runs, not only once it ended', async () => {
    const spool = await OutputSpool.create(join(dir, 'live.log'));
    const seen = collect(spool);
    const ended = runWriting(spool, 'echo first; sleep 1.5; echo second');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(Buffer.concat(seen.stdout).toString()).toBe('first\n');
    await ended;
    await spool.drain();
    expect(Buffer.concat(seen.stdout).toString()).toBe('first\nsecond\n');
    await spool.close();
  });

  it('reads on as soon as reading resumes after a pause, with no change left to notify it', async () => {
    const spool = await OutputSpool.create(join(dir, 'paused.log'));
    const seen = collect(spool);
    // Held back (as for a slow client) while the whole task runs and ends: every change is notified while
    // paused, and none comes after.
    spool.stdout.pause();
    spool.stderr.pause();
    await runWriting(spool, 'seq 1 100000; echo done >&2');
    const drained = spool.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resumedAt = performance.now();
    spool.stdout.resume();
    spool.stderr.resume();
    await drained;
    // Well before the once-a-second look that stands in for lost notifications.
    expect(performance.now() - resumedAt).toBeLessThan(600);
    expect(Buffer.concat(seen.stdout).toString().split('\n').at(-2)).toBe('100000');
    expect(Buffer.concat(seen.stderr).toString()).toBe('done\n');
    await spool.close();
  });

  it('reads every byte of a flood, 10 MB lines and invalid UTF-8 included, exactly', async () => {
    const spool = await OutputSpool.create(join(dir, 'flood.log'));
    const seen = collect(spool);
    await runWriting(
      spool,
      `head -c 10485760 /dev/zero | tr '\\0' 'x'; printf '\\377\\376 end\\n'; seq 1 200000 >&2`,
    );
    await spool.drain();
    const stdout = Buffer.concat(seen.stdout);
    expect(stdout.length).toBe(10 * 1024 * 1024 + 7);
    expect([...stdout.subarray(-7)]).toEqual([0xff, 0xfe, 0x20, 0x65, 0x6e, 0x64, 0x0a]);
    const stderr = Buffer.concat(seen.stderr).toString();
    expect(stderr.split('\n').at(-2)).toBe('200000');
    await spool.close();
  });

  it('makes one log of both files, interleaved by whole lines in the order they were read', async () => {
    // Each line is written once the one before it was read, so the order read is the order written.
    const seen = (line: string) => join(dir, `merged-${line}.seen`);
    const script = [
      `echo out1; ${waitFor(seen('out1'))}; echo err1 >&2; ${waitFor(seen('err1'))}`,
      `echo out2; ${waitFor(seen('out2'))}; echo err2 >&2`,
    ].join('; ');
    const log = await oneLog('merged.log', script, (_, chunk) => {
      for (const line of chunk.toString().split('\n')) if (line !== '') writeFileSync(seen(line), '');
    });
    expect(log).toBe('out1\nerr1\nout2\nerr2\n');
  });

  it('puts a line of the quiet stream after the flood the other stream wrote before it', async () => {
    // The flooding stream is looked at on a timer, not told of each write; the marker's notification must
    // have what it holds read first. The task writes its last lines only once the marker was read: order
    // between two files is only as good as the runner is prompt, and a runner held up for longer than the
    // task waits reads both streams' news together.
    for (let round = 0; round < 5; round++) {
      const go = join(dir, `flood-then-marker-${round}.go`);
      const script = `seq 1 300000; echo marker >&2; ${waitFor(go)}; seq 300001 300010`;
      const lines = (
        await oneLog(`flood-then-marker-${round}.log`, script, (stream, chunk) => {
          if (stream === 'stderr' && chunk.includes('marker')) writeFileSync(go, '');
        })
      ).split('\n');
      expect(lines.indexOf('marker')).toBe(300000);
      expect(lines.at(-2)).toBe('300010');
    }
  });

  it('makes the stderr file the log when only stderr printed, without copying', async () => {
    expect(await oneLog('only-stderr.log', 'echo oops >&2')).toBe('oops\n');
  });

  it('keeps everything the task wrote on disk even when nothing read it (the runner died)', async () => {
    const path = join(dir, 'crash.log');
    const spool = await OutputSpool.create(path);
    await runWriting(spool, 'echo partial; echo trouble >&2');
    // No reader, no merge: what a runner killed at this point leaves behind.
    expect(readFileSync(path, 'utf8')).toBe('partial\n');
    expect(readFileSync(`${path}.stderr`, 'utf8')).toBe('trouble\n');
    await spool.close();
  });

  it('refuses a FIFO in place of the log at once, naming the log', async () => {
    const path = join(dir, 'fifo.log');
    await new Promise((resolve) => spawn('mkfifo', [path]).once('exit', resolve));
    await expect(OutputSpool.create(path)).rejects.toThrow(`cannot write the log file ${path}`);
  });
});
