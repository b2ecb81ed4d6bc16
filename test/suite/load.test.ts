import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSuite, SuiteError } from '../../src/suite/index.js';
import { parseYaml } from '../../src/suite/load.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSuite', () => {
  it('reads a file and resolves cwd against its folder', () => {
    mkdirSync(join(dir, 'suites'));
    const file = join(dir, 'suites', 'ok.yaml');
    writeFileSync(
      file,
      'name: ok\ntasks:\n  - id: a\n    command: echo\n  - id: b\n    command: echo\n    cwd: ../repo\n',
    );
    const suite = loadSuite(file, { env: {} });
    expect(suite.file).toBe(file);
    expect(suite.tasks.map((t) => t.cwd)).toEqual([join(dir, 'suites'), join(dir, 'repo')]);
  });

  it('names a missing file', () => {
    const file = join(dir, 'nope.yaml');
    expect(() => loadSuite(file)).toThrow(new SuiteError({ file, reason: 'no such file' }));
  });

  it('names a folder given as the suite', () => {
    expect(() => loadSuite(dir)).toThrow(`${dir}: is a folder, not a suite file`);
  });

  it('gives positions in the file as named by the user', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ntasks:\n  - id: a\n    command: x\n    repeat: 0\n');
    expect(() => loadSuite(file)).toThrow(
      `${file}:5:13: tasks[0].repeat: must be an integer from 1 to 10000 (got 0)`,
    );
  });
});

describe('parseYaml', () => {
  const source = parseYaml('a:\n  b: [1, {c: 2}]\n  d: &x {e: 1}\n  f: *x\n', 'f.yaml');

  it('keeps the data', () => {
    expect(source.data).toEqual({ a: { b: [1, { c: 2 }], d: { e: 1 }, f: { e: 1 } } });
  });

  it('locates values, keys, missing fields and aliases', () => {
    expect(source.locate(['a', 'b', 1, 'c'])).toEqual({ line: 2, column: 14 });
    expect(source.locate(['a', 'b', 1, 'c'], 'key')).toEqual({ line: 2, column: 11 });
    expect(source.locate(['a', 'b', 1, 'missing'])).toEqual({ line: 2, column: 10 });
    expect(source.locate(['a', 'f', 'e'])).toEqual({ line: 3, column: 13 });
    expect(source.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('refuses a document that expands aliases without bound', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i += 1) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(() => parseYaml(bomb.join('\n'), 'bomb.yaml')).toThrow(/^bomb\.yaml:1:1: invalid YAML: .*alias/i);
  });
});
