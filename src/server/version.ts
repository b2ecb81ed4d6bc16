import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The package version sent in `connected`; the path works from src/server (tests) and dist/server. */
export function serverVersion(): string {
  if (cached === undefined) {
    const url = new URL('../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
