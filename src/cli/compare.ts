import { createColors } from '../report/colors.js';
import {
  compareReports,
  regressions,
  renderComparison,
  renderComparisonMarkdown,
} from '../report/compare.js';
import { readReport } from '../report/index.js';
import { EXIT, UsageError } from './errors.js';

export interface CompareOptions {
  maxRegression?: number;
  maxSlowdown?: number;
  json?: boolean;
  markdown?: boolean;
  color: boolean;
}

/** `cc-stress compare base.json head.json`: what changed, and exit 1 past the allowed regression. */
export async function compareCommand(
  baseFile: string,
  headFile: string,
  options: CompareOptions,
): Promise<number> {
  if (options.json && options.markdown) throw new UsageError('use --json or --markdown, not both');
  const comparison = compareReports(readReport(baseFile), readReport(headFile));
  const found = regressions(comparison, {
    ...(options.maxRegression !== undefined ? { maxRegression: options.maxRegression } : {}),
    ...(options.maxSlowdown !== undefined ? { maxSlowdown: options.maxSlowdown } : {}),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...comparison, regressions: found }, null, 2)}\n`);
  } else if (options.markdown) {
    process.stdout.write(renderComparisonMarkdown(comparison, found));
  } else {
    const c = createColors({ color: options.color, stream: process.stdout });
    process.stdout.write(renderComparison(comparison, c));
    if (found.length > 0) {
      process.stdout.write(
        `\n${c.red.bold(`Regressions: ${found.length}`)}\n${found.map((f) => `  ${f}\n`).join('')}`,
      );
    }
  }
  return found.length > 0 ? EXIT.fail : EXIT.pass;
}
