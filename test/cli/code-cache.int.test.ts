import { isAscii } from 'node:buffer';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult, finished, workDir } from './cli-support.js';

const dist = join(dirname(CLI), '..', 'dist');
const dir = workDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the CLI (bin and the bundle), so that its code cache can be damaged without touching dist/. */
function copyOfCli(): { bin: string; dist: string } {
  const root = join(dir, 'cli');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  copyFileSync(CLI, join(root, 'bin', 'cc-stress'));
  copyFileSync(join(dist, 'cc-stress.cjs'), join(root, 'dist', 'cc-stress.cjs'));
  // Run-time files are found from the package root: the copy answers to the real one's package.json.
  copyFileSync(join(dirname(CLI), '..', 'package.json'), join(root, 'package.json'));
  return { bin: join(root, 'bin', 'cc-stress'), dist: join(root, 'dist') };
}

const version = (bin: string): Promise<CliResult> =>
  finished(spawn(process.execPath, [bin, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] }));

const caches = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.v8-cache'));

describe('the code cache the CLI starts from', () => {
  it('is written by a launch that found none, and a damaged one is replaced, never trusted', async () => {
    const cli = copyOfCli();
    const expected = JSON.parse(readFileSync(join(dirname(CLI), '..', 'package.json'), 'utf8')).version;
    expect(caches(cli.dist)).toEqual([]);

    const fresh = await version(cli.bin);
    expect(fresh.stdout.trim()).toBe(expected);
    const [name] = caches(cli.dist);
    expect(name).toMatch(/^cc-stress\.[0-9a-f]{16}\.v8-cache$/);

    writeFileSync(join(cli.dist, name!), 'not a code cache');
    const damaged = await version(cli.bin);
    expect(damaged.code).toBe(0);
    expect(damaged.stdout.trim()).toBe(expected);
    expect(readFileSync(join(cli.dist, name!)).length).toBeGreaterThan(1000);

    // A rebuilt bundle gets a cache of its own, and the old one goes.
    writeFileSync(
      join(cli.dist, 'cc-stress.cjs'),
      `${readFileSync(join(cli.dist, 'cc-stress.cjs'), 'utf8')}\n`,
    );
    const rebuilt = await version(cli.bin);
    expect(rebuilt.stdout.trim()).toBe(expected);
    expect(caches(cli.dist)).toHaveLength(1);
    expect(caches(cli.dist)[0]).not.toBe(name);
  });

  it('starts from an ASCII bundle, which loads as a one-byte string (text outside ASCII is escaped)', () => {
    expect(isAscii(readFileSync(join(dist, 'cc-stress.cjs')))).toBe(true);
  });
});
