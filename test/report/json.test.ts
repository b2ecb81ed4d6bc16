import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonReporter, writeReportFile } from '../../src/report/json.js';
import { readReport } from '../../src/report/merge.js';
import { attempt, HOSTILE, report, task } from './fixtures.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cc-stress-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = report(
  [
    task('a', [attempt()], { category: 'simple', complexity: 'low' }),
    task('b', [attempt({ reason: 'stalled', signal: 'SIGKILL', exitCode: null }), attempt()]),
    task('c', []),
  ],
  { shard: { index: 1, total: 3 }, suite: { name: 'demo', description: 'the demo', file: '/s/demo.yaml' } },
);

describe('JsonReporter', () => {
  it('writes report.json that reads back as the same report', async () => {
    const reporter = new JsonReporter({ outDir: join(dir, 'out') });
    await reporter.onEnd(sample);
    expect(reporter.path).toBe(join(dir, 'out', 'report.json'));
    expect(readReport(reporter.path)).toEqual(sample);
  });

  it('keeps hostile text byte for byte through the round trip', async () => {
    const hostile = report([
      task(HOSTILE, [attempt({ reason: 'failed', messages: [HOSTILE], outputTail: HOSTILE })], {
        name: HOSTILE,
      }),
    ]);
    const path = join(dir, 'report.json');
    await writeReportFile(path, hostile);
    expect(readReport(path)).toEqual(hostile);
  });

  it('replaces an earlier report whole and leaves no temporary files', async () => {
    const path = join(dir, 'report.json');
    await writeFile(path, '{"old": true, "padding": "' + 'x'.repeat(100_000) + '"}');
    await writeReportFile(path, sample);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(sample);
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('fails loudly when the folder cannot be created, without leaving a temp file', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'not a folder');
    await expect(writeReportFile(join(blocker, 'report.json'), sample)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['file']);
  });
});
