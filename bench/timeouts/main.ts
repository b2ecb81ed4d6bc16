import { join } from 'node:path';
import { intArg, parseArgs } from '../common/args.js';
import { DEFAULT_OUT, machine, writeOutputs } from '../common/output.js';
import {
  chart,
  classHangTable,
  classTable,
  coldAndDriftTable,
  familyChart,
  familyTable,
  hangKindTable,
  overviewTable,
  sweepTable,
  targetLines,
  targetMatrix,
  warmClassTable,
} from './report.js';
import { type FamilyBenchResult, runTimeoutBench } from './run.js';
import type { StoreKind } from './strategies.js';

/**
 * `npm run bench:timeouts [-- --quick] [--runs N] [--seed N] [--store memory|sqlite] [--family ID,ID] [--out DIR]`
 * --runs sets the runs of every family (default: each family's own).
 */

function print(title: string, body: string): void {
  process.stdout.write(`\n${title}\n\n${body}\n`);
}

function printOriginal(f: FamilyBenchResult): void {
  const main = f.strategies.filter((m) => m.role !== 'sweep');
  print('All classes (hang times: from the start of the hang to the kill)', overviewTable(main));
  print('Legitimate runs killed, per class', classTable(main));
  print(`Legitimate runs killed per class after each class's first 100 runs`, warmClassTable(main));
  print('Hang detection by kind of hang (p50 / p95)', hangKindTable(main));
  print('Hang detection p95 per class', classHangTable(main));
  print('Cold start (first runs of every class) and drift (x2 step change)', coldAndDriftTable(main));
  print('Fixed no-output limits (the sweep the detection target compares with)', sweepTable(f.strategies));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['runs', 'seed', 'store', 'out', 'family']);
  const runs = args.values.has('runs') ? intArg(args, 'runs', 1) : undefined;
  const seed = intArg(args, 'seed', 20_261);
  const store = (args.values.get('store') ?? 'memory') as StoreKind;
  if (store !== 'memory' && store !== 'sqlite')
    throw new Error(`--store: "${store}" is not memory or sqlite`);
  const out = args.values.get('out') ?? DEFAULT_OUT;
  const only = args.values
    .get('family')
    ?.split(',')
    .filter((s) => s !== '');

  process.stderr.write(`timeouts: seed ${seed}, ${store} history store${args.quick ? ', quick' : ''}\n`);
  const result = await runTimeoutBench({
    seed,
    store,
    quick: args.quick,
    ...(runs !== undefined ? { runs } : {}),
    ...(only !== undefined ? { only } : {}),
    onFamily: (family, n) => process.stderr.write(`\n${family.id}: ${n} runs\n`),
    onProgress: (done, total) => process.stderr.write(`  ${done}/${total} runs replayed\r`),
  });
  process.stderr.write('\n');

  for (const f of result.families) {
    process.stdout.write(
      `\n=== ${f.family.id}: ${f.family.title} (${f.runs} runs, ${(f.elapsedMs / 1000).toFixed(1)} s)\n`,
    );
    if (f.family.id === 'original') printOriginal(f);
    print(
      `${f.family.id}: our strategies and the fixed no-output limit each is compared with`,
      familyTable(f.strategies),
    );
    print(`${f.family.id}: targets`, targetLines(f.targets));
  }
  print('Targets per family, ours with full signals', targetMatrix(result.families, 'ours-full'));
  print('Targets per family, ours with output only', targetMatrix(result.families, 'ours-output'));
  const failed = result.targets.filter((t) => !t.pass);
  process.stdout.write(
    `\n${result.families.length} families, ${result.families.reduce((n, f) => n + f.runs, 0)} runs in ` +
      `${(result.elapsedMs / 1000).toFixed(1)} s; ${result.targets.length - failed.length} of ` +
      `${result.targets.length} targets met\n`,
  );

  const original = result.families.find((f) => f.family.id === 'original');
  const files = writeOutputs(
    out,
    'timeouts',
    { ...result, machine: machine() },
    familyChart(result.families, `seed ${seed}; ours with full signals on every workload family`),
  );
  if (original !== undefined) {
    const main = original.strategies.filter((m) => m.role !== 'sweep');
    const subtitle = `${original.runs} runs, seed ${seed}; hang detection includes runs only the 6 h job timeout ended`;
    files.push(...writeOutputs(out, 'timeouts-original', original, chart(main, subtitle)));
  }
  process.stdout.write(`wrote ${files.map((f) => join(f)).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:timeouts: ${(error as Error).message}\n`);
  process.exit(1);
});
