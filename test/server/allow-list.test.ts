import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../src/server/allow-list.js';

let dir: string;
let bin: string;
let planted: string;

function program(path: string): void {
  writeFileSync(path, '#!/bin/sh\necho hi\n');
  chmodSync(path, 0o755);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'allow-list-'));
  bin = join(dir, 'bin');
  planted = join(dir, 'planted');
  mkdirSync(bin);
  mkdirSync(planted);
  program(join(bin, 'tool'));
  program(join(bin, 'tool-evil'));
  program(join(planted, 'tool'));
  // One file under two names, like a multi-call binary.
  program(join(bin, 'multi'));
  symlinkSync(join(bin, 'multi'), join(bin, 'ls-alias'));
  symlinkSync(join(bin, 'tool'), join(bin, 'tool-link'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AllowList', () => {
  it('allows the program by name and by its path, and runs the checked file', async () => {
    const list = await AllowList.create(['tool'], bin);
    expect(await list.check('tool', dir)).toEqual({ ok: true, executable: join(bin, 'tool') });
    expect(await list.check(join(bin, 'tool'), '/')).toEqual({ ok: true, executable: join(bin, 'tool') });
    expect(await list.check('./bin/tool', dir)).toEqual({ ok: true, executable: join(bin, 'tool') });
  });

  it('refuses names that merely start with an allowed one', async () => {
    const list = await AllowList.create(['tool'], bin);
    const verdict = await list.check('tool-evil', dir);
    expect(verdict.ok).toBe(false);
  });

  it('refuses a program of the same name elsewhere (planted in a folder or reached by a relative path)', async () => {
    const list = await AllowList.create(['tool'], bin);
    expect((await list.check('./tool', planted)).ok).toBe(false);
    expect((await list.check(join(planted, 'tool'), '/')).ok).toBe(false);
  });

  it('refuses another name of the same file, as multi-call binaries pick their behaviour by name', async () => {
    const list = await AllowList.create(['multi'], bin);
    expect((await list.check('multi', dir)).ok).toBe(true);
    expect((await list.check('ls-alias', dir)).ok).toBe(false);
  });

  it('refuses programs that do not exist, and an allow entry that does not resolve stops the start', async () => {
    const list = await AllowList.create(['tool'], bin);
    expect(await list.check('nope', dir)).toMatchObject({ ok: false });
    await expect(AllowList.create(['no-such-program'], bin)).rejects.toThrow(/no-such-program/);
  });
});
