import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The package version, shown by --version, written into reports and sent in `connected`. The path works
 * from src/ (tests) and dist/ (installed).
 */
export function packageVersion(): string {
  if (cached === undefined) {
    const url = new URL('../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
