// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
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
    mkdirSync(join(dir, 'repo'));
    const suite = loadSuite(file, { env: {} });
    expect(suite.file).toBe(file);
    expect(suite.tasks.map((t) => t.cwd)).toEqual([join(dir, 'suites'), join(dir, 'repo')]);
  });

  it('refuses a cwd that does not exist when loading, not when the task starts', () => {
    const file = join(dir, 'missing-cwd.yaml');
    writeFileSync(file, 'name: x\ntasks:\n  - id: a\n    command: echo\n    cwd: ./not-there\n');
    expect(() => loadSuite(file, { env: {} })).toThrow(
      `${file}:5:10: tasks[0].cwd: the folder ${join(dir, 'not-there')} does not exist`,
    );
  });

  it('refuses bytes that are not UTF-8, naming the line and the byte offset', () => {
    const file = join(dir, 'latin1.yaml');
    const bytes = Buffer.concat([
      Buffer.from('name: x\ntasks:\n  - id: a\n    command: echo caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    writeFileSync(file, bytes);
    expect(() => loadSuite(file, { env: {} })).toThrow(`${file}:4:22: not valid UTF-8 at byte 46 (0xe9)`);
  });

  it('finds the first bad byte wherever it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (before, after) => {
        const file = join(dir, 'bad-utf8.yaml');
        const head = Buffer.from(`name: x\n# ${before.replace(/\r/g, '')}`);
        writeFileSync(file, Buffer.concat([head, Buffer.from([0xff]), Buffer.from(after)]));
        expect(() => loadSuite(file)).toThrow(`not valid UTF-8 at byte ${head.length} (0xff)`);
      }),
      { numRuns: 100 },
    );
  });

  it('reports every problem of a file at once, in file order', () => {
    const file = join(dir, 'many.yaml');
    writeFileSync(
      file,
      'name: x\ntasks:\n  - id: a\n    command: 5\n  - id: b\n    commandd: x\n  - id: c\n    command: x\n    retries: -1\n',
    );
    let message = '';
    try {
      loadSuite(file, { env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/:4:\d+: tasks\[0\]\.command: /);
    expect(lines[1]).toMatch(/:5:\d+: tasks\[1\]\.command: missing/);
    expect(lines[2]).toMatch(/:6:\d+: tasks\[1\]\.commandd: unknown key/);
    expect(lines[3]).toMatch(/:9:\d+: tasks\[2\]\.retries: .*\(got -1\)/);
  });

  it('takes YAML merge keys as people expect', () => {
    const file = join(dir, 'merge.yaml');
    writeFileSync(
      file,
      'name: x\ntasks:\n  - &t {id: a, command: echo hi, retries: 2}\n  - <<: *t\n    id: b\n',
    );
    const suite = loadSuite(file, { env: {} });
    expect(suite.tasks.map((t) => [t.id, t.argv, t.retries])).toEqual([
      ['a', ['echo', 'hi'], 2],
      ['b', ['echo', 'hi'], 2],
    ]);
  });

  it('says that vars cannot refer to each other instead of calling the var undefined', () => {
    const file = join(dir, 'cycle.yaml');
    writeFileSync(file, 'name: x\nvars:\n  A: "${B}"\n  B: "${A}"\ntasks:\n  - id: a\n    command: echo\n');
    expect(() => loadSuite(file, { env: {} })).toThrow(
      /vars\.A: refers to the var "B"; vars take values from the environment only/,
    );
  });

  it('names binary data as such', () => {
    const file = join(dir, 'binary.yaml');
    writeFileSync(file, 'name: x\ntasks:\n  - id: a\n    command: !!binary aGVsbG8=\n');
    expect(() => loadSuite(file, { env: {} })).toThrow(
      /tasks\[0\]\.command: .*\(got binary data \(a !!binary value\)\)/,
    );
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
