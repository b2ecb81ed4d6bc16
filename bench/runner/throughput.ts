import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { WebSocketExecutor } from '../../src/exec/remote/ws-executor.js';
import type { Executor } from '../../src/exec/types.js';
import { defaultRunner } from './setup.js';
import { assertAllPassed, runTasks, taskSpec, tempDir } from './tasks.js';

/** Output throughput: one task printing lines as fast as it can, locally and through `cc-stress serve`. */

/** Lines of 80 bytes, the order of a compiler's or an agent's JSON events, cut to an exact byte count. */
export function throughputCommand(bytes: number): string {
  return `yes 'cc-stress throughput 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRS' | head -c ${bytes}`;
}

export interface ThroughputRun {
  seconds: number;
  /** Bytes the task wrote. */
  bytes: number;
  /**
   * Bytes that reached the runner. Locally every byte does; `cc-stress serve` drops output while more than
   * 8 MiB wait unsent for the client (bounded memory by design), so a producer faster than the socket loses
   * the excess, which the server reports in a marker line.
   */
  deliveredBytes: number;
  peakRssMB: number;
  /** CPU the runner process used for the run. */
  cpuSeconds: number;
}

/** The same command with its output thrown away by the shell: the most any runner could do. */
export async function throughputBaseline(bytes: number): Promise<number> {
  const t0 = performance.now();
  await execa('sh', ['-c', `${throughputCommand(bytes)} > /dev/null`]);
  return (performance.now() - t0) / 1000;
}

/**
 * The same command writing its output to a file: what keeping a full log costs on this machine's disk,
 * and so the most a runner that keeps every byte could do.
 */
export async function throughputFileBaseline(bytes: number): Promise<number> {
  const dir = tempDir('file');
  try {
    const t0 = performance.now();
    await execa('sh', ['-c', `${throughputCommand(bytes)} > ${join(dir, 'out.log')}`]);
    return (performance.now() - t0) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the command through the scheduler with the local executor, or a WebSocket executor at `url`. */
export async function throughputThroughRunner(bytes: number, url?: string): Promise<ThroughputRun> {
  const dir = tempDir('throughput');
  const runner = defaultRunner(dir);
  const executor: Executor =
    url === undefined
      ? runner.executor
      : new WebSocketExecutor({
          urls: [url],
          connectTimeoutMs: 5000,
          graceMs: runner.config.limits.graceSeconds * 1000,
          headBytes: runner.config.output.headBytes,
          tailBytes: runner.config.output.tailBytes,
        });
  let stdoutBytes = 0;
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const report = await runTasks({
      tasks: [taskSpec('throughput', [throughputCommand(bytes)], true)],
      concurrency: 1,
      planner: runner.planner,
      executor,
      history: runner.store,
      outDir: join(dir, 'out'),
      reporter: {
        onTaskEnd: (_task, _result, raw) => {
          stdoutBytes = raw.stdoutBytes;
        },
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    assertAllPassed(report, 'throughput');
    if (url === undefined && stdoutBytes !== bytes) {
      throw new Error(`throughput: ${stdoutBytes} bytes arrived of ${bytes}`);
    }
    return {
      seconds,
      bytes,
      deliveredBytes: stdoutBytes,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    if (executor !== runner.executor) await executor.close?.();
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
