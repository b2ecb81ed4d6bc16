import { createReadStream, createWriteStream } from 'node:fs';
import { exportHistory, FallbackHistoryStore, importHistory } from '../history/index.js';
import type { RunRecord } from '../history/types.js';
import { isCurrentClassKey } from '../timeouts/keys.js';
import { EXIT } from './errors.js';
import { withHistory } from './open-history.js';

interface Common {
  config?: string;
}

export async function historyList(options: Common & { limit: number; json?: boolean }): Promise<number> {
  return withHistory(options.config, async (store) => {
    const classes = await store.classes(options.limit);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(classes, null, 2)}\n`);
    } else {
      let older = 0;
      for (const c of classes) {
        const current = isCurrentClassKey(c.classKey);
        if (!current) older += 1;
        process.stdout.write(
          `${new Date(c.lastAt).toISOString()}  ${String(c.runs).padStart(5)} runs  ${c.classKey}${current ? '' : '  (older classifier, not read)'}\n`,
        );
      }
      process.stdout.write(`${classes.length} class(es) in the ${store.kind} store\n`);
      if (older > 0) {
        process.stdout.write(
          `${older} class(es) were recorded by an older classifier and are no longer read; \`cc-stress history prune\` drops them once unused long enough\n`,
        );
      }
      const pending = store instanceof FallbackHistoryStore ? store.status().pending : 0;
      if (pending > 0) {
        process.stdout.write(
          `${pending} run(s) not yet in Redis, queued in the embedded store; replayed while Redis is reachable\n`,
        );
      }
    }
    return EXIT.pass;
  });
}

export async function historyShow(
  classKey: string,
  options: Common & { limit: number; json?: boolean },
): Promise<number> {
  return withHistory(options.config, async (store) => {
    const runs = await store.recent(classKey, options.limit);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ classKey, runs }, null, 2)}\n`);
      return EXIT.pass;
    }
    process.stdout.write(`${classKey}: ${runs.length} recent run(s), newest first\n`);
    for (const run of runs) {
      process.stdout.write(
        `${new Date(run.at).toISOString()}  ${run.outcome.padEnd(12)} ${(run.durationMs / 1000).toFixed(1).padStart(8)}s` +
          `  longest silence ${(run.longestSilenceMs / 1000).toFixed(1)}s` +
          (run.longestQuietMs === undefined ? '' : `, quiet ${(run.longestQuietMs / 1000).toFixed(1)}s`) +
          `${provenanceText(run)}\n`,
      );
    }
    return EXIT.pass;
  });
}

/** Where a run came from, for `history show`; runs recorded before provenance was kept say so. */
function provenanceText(run: RunRecord): string {
  if (run.program === undefined) return '  program unrecorded';
  return `  ${run.program}${run.simulated === true ? ' (simulated agent)' : ''}`;
}

export async function historyPrune(options: Common & { olderThan: number }): Promise<number> {
  return withHistory(options.config, async (store) => {
    const dropped = await store.prune(Date.now() - options.olderThan * 24 * 3600 * 1000);
    process.stdout.write(`dropped ${dropped} class(es) unused for ${options.olderThan} day(s)\n`);
    return EXIT.pass;
  });
}

export async function historyExport(file: string | undefined, options: Common): Promise<number> {
  return withHistory(options.config, async (store) => {
    const out = file === undefined ? process.stdout : createWriteStream(file);
    const count = await exportHistory(store, out);
    if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
    process.stderr.write(`exported ${count} run(s)\n`);
    return EXIT.pass;
  });
}

export async function historyImport(file: string, options: Common): Promise<number> {
  return withHistory(options.config, async (store) => {
    const count = await importHistory(store, createReadStream(file), file);
    process.stdout.write(`imported ${count} run(s) into the ${store.kind} store\n`);
    return EXIT.pass;
  });
}
