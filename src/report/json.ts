import { join } from 'node:path';
import type { RunReport } from '../run/types.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Reporter } from './types.js';

export const JSON_REPORT_FILE = 'report.json';

export function serializeReport(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function writeReportFile(path: string, report: RunReport): Promise<void> {
  await writeFileAtomic(path, serializeReport(report));
}

export interface JsonReporterOptions {
  outDir: string;
  fileName?: string;
}

/** Writes the run report (format: docs/report-format.md) when the run ends, interrupted or not. */
export class JsonReporter implements Reporter {
  readonly name = 'json';
  readonly path: string;

  constructor(options: JsonReporterOptions) {
    this.path = join(options.outDir, options.fileName ?? JSON_REPORT_FILE);
  }

  async onEnd(report: RunReport): Promise<void> {
    await writeReportFile(this.path, report);
  }
}
