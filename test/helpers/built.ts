import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = join(import.meta.dirname, '../../dist');

/**
 * The import specifier of a built module (`npm test` builds first), for tests that run the code in a node
 * process of their own: the same code the bin/ entry runs, not a copy transpiled for the test.
 * `entry` is relative to src/, e.g. 'exec/local/local-executor.ts'.
 */
export function builtModule(entry: string): string {
  const file = join(dist, entry.replace(/\.ts$/, '.js'));
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (npm test does) first`);
  return pathToFileURL(file).href;
}
