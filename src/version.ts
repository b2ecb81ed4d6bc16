import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

let cached: string | undefined;

/**
 * The package version, shown by --version, written into reports and sent in `connected`.
 */
export function packageVersion(): string {
  if (cached === undefined) {
    const file = join(packageRoot(), 'package.json');
    cached = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cached;
}
