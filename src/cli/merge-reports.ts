import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readEnv } from '../config.js';
import {
  createReporters,
  mergeReports,
  missingShards,
  readReport,
  splitGroups,
  successRate,
  verdictOf,
  writeJUnitFile,
  writeReportFile,
} from '../report/index.js';
import type { RunReport } from '../run/types.js';
import { EXIT, UsageError } from './errors.js';

export interface MergeOptions {
  json?: string;
  junit?: string;
  target?: number;
  color: boolean;
}

function withTarget(report: RunReport, target: number | undefined): RunReport {
  if (target === undefined) return report;
  const rate = successRate(report.totals, report.interrupted);
  return { ...report, target, successRate: rate, verdict: verdictOf(rate, target, report.interrupted) };
}

/** `cc-stress merge-reports`: one gate over the reports of all shards of a suite. */
export async function mergeReportsCommand(files: string[], options: MergeOptions): Promise<number> {
  const reports = files.map((file) => readReport(file));
  const missing = missingShards(reports);
  if (missing !== undefined && missing.length > 0) {
    throw new UsageError(
      `shard(s) ${missing.join(', ')} of ${reports[0]?.shard?.total} have no report; the suite was only partly run`,
    );
  }
  const groups = splitGroups(reports);
  if (groups.length > 1) {
    const sides = groups.map((g) => `shard(s) ${g.shards.join(', ')} split as ${g.split}`).join('; ');
    throw new UsageError(
      `the shards did not split the suite the same way (${sides}), so some tasks ran twice and others not ` +
        'at all; this happens when shards start on both sides of midnight UTC or one cannot reach Redis. ' +
        'Re-run all shards',
    );
  }
  const merged = withTarget(mergeReports(reports, { labels: files }), options.target);
  const written: string[] = [];
  for (const [path, write] of [
    [options.json, writeReportFile],
    [options.junit, writeJUnitFile],
  ] as const) {
    if (path === undefined) continue;
    mkdirSync(dirname(resolve(path)), { recursive: true });
    await write(resolve(path), merged);
    written.push(path);
  }
  // Under GitHub Actions the merge job annotates and summarises the whole suite, as a run does.
  const { github } = readEnv();
  const summary = createReporters({
    reporters: github.actions ? ['summary', 'github'] : ['summary'],
    outDir: process.cwd(),
    color: options.color,
    ci: true,
    github,
  });
  await summary.onEnd?.(merged);
  if (written.length > 0)
    process.stderr.write(`merged ${files.length} report(s) into ${written.join(', ')}\n`);
  if (merged.interrupted) return EXIT.interrupted;
  return merged.verdict === 'pass' ? EXIT.pass : EXIT.fail;
}
