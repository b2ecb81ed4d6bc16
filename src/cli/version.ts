import { readFileSync } from 'node:fs';

/** The package version; the path works from src/cli (tests) and dist/cli (installed). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
