import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../../src/exec/local/local-executor.js';
import { WebSocketExecutor } from '../../../src/exec/remote/ws-executor.js';
import type { ExecResult, RunningTask } from '../../../src/exec/types.js';
import { type RunningServer, startServer } from '../../../src/server/server.js';
import type { ServedRun } from '../../../src/server/session.js';
import { eventually } from '../../helpers/eventually.js';
import { floodProgram } from '../../helpers/flood.js';
import { firstWrongLine, LINE_BYTES, numberedLinesScript } from '../../helpers/numbered-lines.js';
import { expectations, FixedPlanner, plan, request } from './ws-test-support.js';

const node = process.execPath;
/** What the server's own executor saw: how each remote process really ended. */
const remote: ExecResult[] = [];
const served: ServedRun[] = [];
const local = new LocalExecutor({ graceMs: 300, headBytes: 1024, tailBytes: 1024 });
let server: RunningServer;
let executor: WebSocketExecutor;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    planner: new FixedPlanner(),
    graceMs: 300,
    maxSessions: 64,
    onRecord: (run) => served.push(run),
    executor: {
      name: 'recording local',
      run: async (request, hooks) => {
        const result = await local.run(request, hooks);
        remote.push(result);
        return result;
      },
    },
  });
  executor = new WebSocketExecutor({ urls: [server.url], graceMs: 300, completionGraceMs: 3000 });
});
afterAll(async () => {
  await executor.close();
  await server.close();
  await local.close();
});

describe('WebSocketExecutor against our server', () => {
  it('runs a task like a local one: output, log, expectations, exit code', async () => {
    const req = request({
      argv: [node, '-e', "console.log('hello world'); console.error('warn: it\\'s fine')"],
      expect: expectations({
        stdout: { contains: ['hello world'], notContains: [], matches: [] },
        stderr: { contains: [], notContains: ['error'], matches: ["it's"] },
      }),
    });
    const lines: string[] = [];
    const result = await executor.run(req, { onOutput: (stream, line) => lines.push(`${stream}:${line}`) });
    expect(result.termination).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(result.failures).toEqual([]);
    expect(lines).toEqual(['stdout:hello world', "stderr:warn: it's fine"]);
    expect(result.stdoutBytes).toBe('hello world\n'.length);
    expect(readFileSync(req.logPath, 'utf8')).toContain('hello world\n');
    expect(result.detail).toBeUndefined();
  });

  it('reports failed expectations and a non-zero exit code', async () => {
    const result = await executor.run(
      request({
        argv: [node, '-e', 'process.exit(4)'],
        expect: expectations({ stdout: { contains: ['never'], notContains: [], matches: [] } }),
      }),
    );
    expect(result.termination).toBe('exit');
    expect(result.exitCode).toBe(4);
    expect(result.failures.length).toBeGreaterThanOrEqual(1);
  });

  it('detects a stall on its own against a silent remote process and cancels it there', async () => {
    const before = remote.length;
    const began = Date.now();
    const result = await executor.run(request({ argv: ['sleep', '30'], plan: plan(20_000, 700) }));
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(/no output for 0\.\d+s \(stall limit 0\.7s/);
    expect(result.detail).toContain(server.url);
    expect(Date.now() - began).toBeLessThan(5000);
    // The server saw the CANCEL: the remote process is gone, not left to run its 30 s.
    await eventually(() => remote.length > before, 'the server recorded the cancelled run', 3000);
    expect(remote.at(-1)?.termination).toBe('cancelled');
    expect(remote.at(-1)?.durationMs).toBeLessThan(5000);
    // The runner records its own attempts: the server does not count them a second time.
    expect(served).toEqual([]);
  });

  it('counts remote CPU use as progress, as for a local task: silent but busy is not stalled', async () => {
    const result = await executor.run(
      request({
        argv: [node, '-e', 'const end = Date.now() + 3500; while (Date.now() < end); console.log("done")'],
        plan: plan(20_000, 2000),
      }),
    );
    expect(result.termination).toBe('exit');
    expect(result.outputTail).toBe('done\n');
    expect(result.longestSilenceMs).toBeLessThan(2000);
  });

  it('applies the max limit with its evidence', async () => {
    const result = await executor.run(
      request({ argv: ['sh', '-c', 'while :; do echo busy; sleep 0.1; done'], plan: plan(1000, 5000) }),
    );
    expect(result.termination).toBe('max');
    expect(result.detail).toMatch(/max limit 1s/);
    expect(result.stdoutBytes).toBeGreaterThan(0);
  });

  // That paused time counts toward no limit is the watchdog's rule (watchdog.test.ts, and end to end in
  // watchdog-limits.int.test.ts); here: PAUSE and RESUME reach the remote process.
  it('pauses and resumes the remote process', async () => {
    let task: RunningTask | undefined;
    const lines: string[] = [];
    const run = executor.run(
      request({
        argv: ['sh', '-c', 'i=0; while [ $i -lt 10 ]; do echo $i; i=$((i+1)); sleep 0.1; done'],
        plan: plan(20_000, 5000),
      }),
      { onStart: (running) => (task = running), onOutput: (_stream, line) => lines.push(line) },
    );
    await eventually(() => lines.length >= 3, 'three lines of output', 10_000);
    expect(task?.pause()).toBe(true);
    expect(task?.pause()).toBe(false);
    // Running, it prints a line every 0.1 s; stopped, at most the one already in flight.
    const whenPaused = lines.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(lines.length).toBeLessThanOrEqual(whenPaused + 1);
    expect(task?.resume()).toBe(true);
    const result = await run;
    expect(result.termination).toBe('exit');
    expect(lines).toHaveLength(10);
  });

  it('cancels on abort and records it as cancelled', async () => {
    const abort = new AbortController();
    const run = executor.run(request({ argv: ['sleep', '30'], signal: abort.signal }));
    setTimeout(() => abort.abort(), 300);
    const result = await run;
    expect(result.termination).toBe('cancelled');
    expect(result.signal).toBe('SIGTERM');
  });

  it('runs shell lines in shell mode', async () => {
    const lines: string[] = [];
    const result = await executor.run(request({ argv: ['echo a && echo b'], shell: true }), {
      onOutput: (_stream, line) => lines.push(line),
    });
    expect(result.termination).toBe('exit');
    expect(lines).toEqual(['a', 'b']);
  });

  it('ends as crashed with the refusal when the server will not run the command', async () => {
    const result = await executor.run(request({ argv: ['no-such-program-cc-stress'] }));
    expect(result.termination).toBe('crashed');
    expect(result.detail).toMatch(/refused the command/);
    expect(result.detail).toContain('no-such-program-cc-stress');
  });

  it('streams a 50 MB output completely', async () => {
    const total = 50 * 1024 * 1024;
    // 50 MiB in lines of 1 KiB: 51,200 lines, each 1023 characters plus the newline.
    const script = floodProgram(total, 'y');
    let lines = 0;
    const result = await executor.run(request({ argv: [node, '-e', script], plan: plan(60_000, 20_000) }), {
      onOutput: () => {
        lines += 1;
      },
    });
    expect(result.termination).toBe('exit');
    expect(result.stdoutBytes).toBe(total);
    expect(lines).toBe(total / 1024);
    expect(server.health().dropped_output_bytes).toBe(0);
  }, 60_000);

  it('keeps up with a flood of short lines: 40 MB of 80-byte lines arrive complete and in order', async () => {
    const count = 500_000;
    const req = request({ argv: [node, numberedLinesScript(), String(count)], plan: plan(120_000, 30_000) });
    let peakUnsent = 0;
    const sampler = setInterval(() => {
      for (const session of server.sessionStats()) peakUnsent = Math.max(peakUnsent, session.bufferedBytes);
    }, 5);
    const result = await executor.run(req).finally(() => clearInterval(sampler));
    expect(result.termination).toBe('exit');
    expect(result.stdoutBytes).toBe(count * LINE_BYTES);
    expect(firstWrongLine(readFileSync(req.logPath, 'latin1'), count)).toBe(-1);
    // Nothing was dropped, and the server never came near its bound on unsent bytes (8 MiB).
    expect(server.health().dropped_output_bytes).toBe(0);
    expect(peakUnsent).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);

  it('keeps the bytes exactly as the remote process wrote them, invalid UTF-8 included', async () => {
    const bytes = [0x61, 0xff, 0xfe, 0x0a, 0xe2, 0x82, 0xac, 0x0a, 0xc3];
    const req = request({
      argv: [node, '-e', `process.stdout.write(Buffer.from(${JSON.stringify(bytes)}))`],
    });
    const result = await executor.run(req);
    expect(result.termination).toBe('exit');
    expect(result.stdoutBytes).toBe(bytes.length);
    expect([...readFileSync(req.logPath)]).toEqual(bytes);
  });

  it('holds the reading back while the runner cannot take more, losing nothing and not stalling', async () => {
    const total = 20 * 1024 * 1024;
    const script = floodProgram(total, 'y');
    let chunks = 0;
    let waited = false;
    const result = await executor.run(request({ argv: [node, '-e', script], plan: plan(60_000, 1000) }), {
      // After the first chunk the runner cannot take more for three times the stall limit; then it flows.
      onChunk: () => {
        chunks++;
      },
      outputFlow: {
        full: () => chunks === 1 && !waited,
        drained: () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              waited = true;
              resolve();
            }, 3000),
          ),
      },
    });
    expect(result.termination).toBe('exit');
    expect(result.stdoutBytes).toBe(total);
    expect(result.durationMs).toBeGreaterThan(2500);
    expect(server.health().dropped_output_bytes).toBe(0);
    expect(remote.at(-1)?.termination).toBe('exit');
  }, 60_000);

  it('waits for a free session on a full server instead of failing the task', async () => {
    const small = await startServer({ port: 0, planner: new FixedPlanner(), graceMs: 300, maxSessions: 1 });
    try {
      const client = new WebSocketExecutor({ urls: [small.url], connectTimeoutMs: 10_000 });
      const results = await Promise.all([
        client.run(request({ argv: ['sleep', '0.3'] })),
        client.run(request({ argv: ['sleep', '0.3'] })),
      ]);
      expect(results.map((result) => result.termination)).toEqual(['exit', 'exit']);
    } finally {
      await small.close();
    }
  });

  it('runs 50 concurrent sessions', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        executor.run(
          request({
            argv: ['echo', `task ${i}`],
            expect: expectations({ stdout: { contains: [`task ${i}`], notContains: [], matches: [] } }),
          }),
        ),
      ),
    );
    expect(results.map((result) => result.termination)).toEqual(Array(50).fill('exit'));
    expect(results.flatMap((result) => result.failures)).toEqual([]);
    expect(results.map((result) => result.outputTail)).toEqual(
      Array.from({ length: 50 }, (_, i) => `task ${i}\n`),
    );
  });
});
