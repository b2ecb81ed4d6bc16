import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  createReporters,
  mergeReports,
  readReport,
  writeJsonReport,
  writeJunitReport,
} from '../report/index.js';
import { EXIT, UsageError } from './errors.js';

export interface MergeOptions {
  json?: string;
  junit?: string;
  target?: number;
  color: boolean;
}

export async function mergeReportsCommand(files: string[], options: MergeOptions): Promise<number> {
  if (files.length === 0) throw new UsageError('merge-reports needs at least one report.json');
  const merged = mergeReports(
    files.map((file) => readReport(file)),
    options.target,
  );
  if (options.json !== undefined) {
    mkdirSync(dirname(resolve(options.json)), { recursive: true });
    writeJsonReport(resolve(options.json), merged);
  }
  if (options.junit !== undefined) {
    mkdirSync(dirname(resolve(options.junit)), { recursive: true });
    writeJunitReport(resolve(options.junit), merged);
  }
  const summary = createReporters({
    reporters: ['summary'],
    outDir: process.cwd(),
    color: options.color,
    ci: true,
  });
  await summary.onEnd?.(merged);
  if (merged.interrupted) return EXIT.interrupted;
  return merged.verdict === 'pass' ? EXIT.pass : EXIT.fail;
}
