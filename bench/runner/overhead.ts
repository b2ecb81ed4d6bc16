import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { defaultRunner } from './setup.js';
import { assertAllPassed, runTasks, taskSpec, tempDir } from './tasks.js';

/**
 * Per-task overhead: `true` spawned directly with execa vs run through the scheduler, the learned planner,
 * the SQLite history and the LocalExecutor (process group, watchdog, log file). Both sides run in this
 * process, in alternating rounds, so that machine noise hits both alike.
 */

export interface OverheadRow {
  concurrency: number;
  tasks: number;
  directMsPerTask: number;
  oursMsPerTask: number;
  ratio: number;
  addedMsPerTask: number;
}

const ROUNDS = 5;

async function direct(n: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await execa('true');
    }),
  );
  return performance.now() - t0;
}

export async function measureOverhead(
  tasks: number,
  concurrencies: readonly number[],
): Promise<OverheadRow[]> {
  const dir = tempDir('overhead');
  const runner = defaultRunner(dir);
  let batch = 0;
  const ours = async (n: number, concurrency: number): Promise<number> => {
    batch++;
    const specs = Array.from({ length: n }, (_, i) => taskSpec(`true-${batch}-${i}`, ['true']));
    const t0 = performance.now();
    const report = await runTasks({
      tasks: specs,
      concurrency,
      planner: runner.planner,
      executor: runner.executor,
      history: runner.store,
      outDir: join(dir, 'out'),
    });
    const elapsed = performance.now() - t0;
    assertAllPassed(report, 'overhead');
    return elapsed;
  };
  try {
    // Warm-up: module loading, the guardian process, SQLite pages, JIT.
    await direct(20, 1);
    await ours(20, 1);
    const rows: OverheadRow[] = [];
    for (const concurrency of concurrencies) {
      let directMs = 0;
      let oursMs = 0;
      const per = Math.ceil(tasks / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          directMs += await direct(per, concurrency);
          oursMs += await ours(per, concurrency);
        } else {
          oursMs += await ours(per, concurrency);
          directMs += await direct(per, concurrency);
        }
      }
      const n = per * ROUNDS;
      rows.push({
        concurrency,
        tasks: n,
        directMsPerTask: directMs / n,
        oursMsPerTask: oursMs / n,
        ratio: oursMs / directMs,
        addedMsPerTask: (oursMs - directMs) / n,
      });
    }
    return rows;
  } finally {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
