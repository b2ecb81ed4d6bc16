import { execFileSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtModule } from '../../helpers/built.js';
import { scratchDir } from '../support/local-tasks.js';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Prints `mib` MiB as 1 KiB lines, respecting backpressure like a real fast producer. */
const printer = (mib: number) =>
  `const chunk = Buffer.from(('x'.repeat(1023) + '\\n').repeat(64)); let n = 0;
   const write = () => { while (n < ${mib * 16}) { n++; if (!process.stdout.write(chunk)) return process.stdout.once('drain', write); } };
   write();`;

const driver = `
import { LocalExecutor } from ${JSON.stringify(builtModule('exec/local/local-executor.ts'))};
const dir = process.argv[2];
// A full collection, then time for V8's background threads to hand freed buffers back.
const settle = async () => { globalThis.gc(); await new Promise((r) => setTimeout(r, 200)); globalThis.gc(); };
const executor = new LocalExecutor({ graceMs: 300, headBytes: 8192, tailBytes: 32768, pollMs: 100 });
const none = { contains: [], notContains: [], matches: [] };
const run = (script, name) => executor.run({
  taskId: name, attempt: 1, argv: [process.execPath, '-e', script], shell: false, cwd: dir, env: {}, agent: 'none',
  expect: { exitCode: [0], stdout: { ...none, contains: ['xxxx'] }, stderr: none, minOutputBytes: 0, result: null },
  plan: { maxMs: 120000, stallMs: 60000, maxSource: { origin: 'suite', detail: '' }, stallSource: { origin: 'suite', detail: '' }, extension: { times: 0, byMs: 0 } },
  logPath: dir + '/' + name + '.log',
});
// Warm up with a 32 MB task first: loading the code and V8 growing its young generation to the working size
// of any streaming program are one-off costs, not memory that depends on how much a task prints.
await run(${JSON.stringify(printer(32))}, 'warm-up');
await settle();
const retainedBefore = process.memoryUsage();
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const started = performance.now();
const result = await run(${JSON.stringify(printer(200))}, 'big');
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await executor.close();
await settle();
const after = process.memoryUsage();
const retained = (m) => m.heapUsed + m.arrayBuffers;
console.log(JSON.stringify({ before, peak, retainedGrowth: retained(after) - retained(retainedBefore), seconds: (performance.now() - started) / 1000, termination: result.termination,
  exitCode: result.exitCode, stdoutBytes: result.stdoutBytes, failures: result.failures, tail: result.outputTail.length }));
`;

describe('output of a task in bounded memory', () => {
  it('runs a task printing 200 MB while the runner grows by only a few MB', () => {
    const script = join(dir, 'memory-driver.mjs');
    writeFileSync(script, driver);
    const output = execFileSync(process.execPath, ['--expose-gc', script, dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const measured = JSON.parse(output.trim().split('\n').pop()!);
    expect(measured.termination).toBe('exit');
    expect(measured.exitCode).toBe(0);
    expect(measured.failures).toEqual([]);
    expect(measured.stdoutBytes).toBe(200 * 1024 * 1024);
    expect(statSync(join(dir, 'big.log')).size).toBe(200 * 1024 * 1024);
    // Peak RSS while 200 MB streamed through, and what is still held afterwards (a leak would show here).
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    const growth = measured.peak - measured.before;
    // Typically 3-8 MB: V8 frees the 64 KiB pipe chunks in batches, one young generation's worth at a time,
    // whatever the size of the output. The bound leaves room for a loaded CI machine.
    expect(growth, `RSS grew by ${mb(growth)}`).toBeLessThan(12 * 1024 * 1024);
    expect(measured.retainedGrowth, `retained ${mb(measured.retainedGrowth)} more`).toBeLessThan(1024 * 1024);
  }, 60_000);
});
