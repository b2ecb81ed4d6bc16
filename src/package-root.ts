import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding cc-stress's package.json (and bin/, src/history/lua/), found by walking up from
 * wherever this code runs: src/ under the tests, dist/ as compiled, or the single-file bundle the CLI
 * starts from. A fixed relative path would hold for only one of them.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isOurPackage(join(dir, 'package.json'))) {
      cached = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find cc-stress's package.json above ${start}`);
  }
}

function isOurPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'cc-stress';
  } catch {
    return false;
  }
}
