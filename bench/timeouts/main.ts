import { join } from 'node:path';
import { intArg, parseArgs } from '../common/args.js';
import { DEFAULT_OUT, machine, writeOutputs } from '../common/output.js';
import {
  chart,
  classHangTable,
  classTable,
  coldAndDriftTable,
  hangKindTable,
  overviewTable,
  sweepTable,
  targetLines,
  warmClassTable,
} from './report.js';
import { runTimeoutBench } from './run.js';
import type { StoreKind } from './strategies.js';

/** `npm run bench:timeouts [-- --quick] [--runs N] [--seed N] [--store memory|sqlite] [--out DIR]` */

const FULL_RUNS = 30_000;
const QUICK_RUNS = 2_400;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['runs', 'seed', 'store', 'out']);
  const runs = intArg(args, 'runs', args.quick ? QUICK_RUNS : FULL_RUNS);
  const seed = intArg(args, 'seed', 20_261);
  const store = (args.values.get('store') ?? 'memory') as StoreKind;
  if (store !== 'memory' && store !== 'sqlite')
    throw new Error(`--store: "${store}" is not memory or sqlite`);
  const out = args.values.get('out') ?? DEFAULT_OUT;

  process.stderr.write(`timeouts: ${runs} simulated runs, seed ${seed}, ${store} history store\n`);
  const result = await runTimeoutBench({
    runs,
    seed,
    store,
    onProgress: (done, total) => process.stderr.write(`  ${done}/${total} runs replayed\r`),
  });
  process.stderr.write('\n');
  const main = result.strategies.filter((m) => m.role !== 'sweep');
  const sections: [string, string][] = [
    ['All classes (hang times: from the start of the hang to the kill)', overviewTable(main)],
    ['Legitimate runs killed, per class', classTable(main)],
    [`Legitimate runs killed per class after each class's first 100 runs`, warmClassTable(main)],
    ['Hang detection by kind of hang (p50 / p95)', hangKindTable(main)],
    ['Hang detection p95 per class', classHangTable(main)],
    ['Cold start (first runs of every class) and drift (x2 step change)', coldAndDriftTable(main)],
    ['Fixed no-output limits (the sweep the detection target compares with)', sweepTable(result.strategies)],
    ['Targets', targetLines(result.targets)],
  ];
  for (const [title, body] of sections) process.stdout.write(`\n${title}\n\n${body}\n`);
  process.stdout.write(
    `\n${runs} runs replayed through ${result.strategies.length} strategies in ${(result.elapsedMs / 1000).toFixed(1)} s; ` +
      `our planner: ${result.planner.plans} plans, ${result.planner.meanMs.toFixed(3)} ms each on average\n`,
  );

  const subtitle = `${runs} runs, seed ${seed}; hang detection includes runs only the 6 h job timeout ended`;
  const files = writeOutputs(out, 'timeouts', { ...result, machine: machine() }, chart(main, subtitle));
  process.stdout.write(`wrote ${files.map((f) => join(f)).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:timeouts: ${(error as Error).message}\n`);
  process.exit(1);
});
