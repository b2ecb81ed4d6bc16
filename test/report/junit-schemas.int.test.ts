import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../src/report/junit.js';
import type { RunReport } from '../../src/run/types.js';
import { validateJUnit } from '../helpers/xmllint.js';
import { attempt, HOSTILE, report, task } from './fixtures.js';

function fileOf(xml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cc-stress-junit-xsd-')), 'junit.xml');
  writeFileSync(file, xml);
  return file;
}

/** Every shape of task the writer distinguishes, including reruns that mix failures and errors. */
const cases: Record<string, RunReport> = {
  'a pass': report([task('ok', [attempt()], { category: 'simple', line: 4 })]),
  'a failure': report([task('bad', [attempt({ reason: 'failed' })])]),
  'a timeout': report([task('slow', [attempt({ reason: 'timed-out' })])]),
  'a stall': report([task('quiet', [attempt({ reason: 'stalled' })])]),
  'a crash': report([task('boom', [attempt({ reason: 'crashed', exitCode: null, outputTail: '' })])]),
  'a task never started': report([task('never', [])]),
  'a flaky pass after a failure and a stall': report([
    task('flaky', [attempt({ reason: 'failed' }), attempt({ reason: 'stalled' }), attempt()]),
  ]),
  'a stall, then a failure, then a timeout': report([
    task('worse', [
      attempt({ reason: 'stalled' }),
      attempt({ reason: 'failed' }),
      attempt({ reason: 'timed-out' }),
    ]),
  ]),
  'a timeout, then two failures': report([
    task('bad-again', [
      attempt({ reason: 'timed-out' }),
      attempt({ reason: 'failed' }),
      attempt({ reason: 'failed' }),
    ]),
  ]),
  'an interrupted shard': report([task('ok', [attempt()]), task('never', [])], {
    interrupted: true,
    shard: { index: 2, total: 4, split: '0123456789abcdef' },
  }),
  'no tasks at all': report([]),
  'a run of hours (times past 999 s)': report([task('long', [attempt({ durationMs: 7_384_567 })])], {
    durationMs: 7_400_000,
  }),
  'hostile text': report(
    [
      task('hostile', [attempt({ reason: 'failed', messages: [HOSTILE], outputTail: HOSTILE })], {
        name: HOSTILE,
        category: HOSTILE,
      }),
    ],
    { suite: { name: HOSTILE, file: HOSTILE } },
  ),
};

describe('junit.xml against the vendored consumer schemas (xmllint)', () => {
  for (const [name, run] of Object.entries(cases)) {
    it(`is valid for ${name} against junit-10.xsd and the Surefire schema`, () => {
      const { junit10, surefire } = validateJUnit(fileOf(junitXml(run)));
      expect(junit10.output).toMatch(/ validates$/);
      expect(junit10.ok).toBe(true);
      expect(surefire.output).toMatch(/ validates$/);
      expect(surefire.ok).toBe(true);
    });
  }

  it('would catch the old shape: per-testcase properties and skipped on testsuites', () => {
    const old = junitXml(cases['a failure']!)
      .replace('<testsuites ', '<testsuites skipped="0" ')
      .replace(/(<testcase [^>]*>)/, '$1<properties><property name="id" value="bad"/></properties>');
    const { junit10, surefire } = validateJUnit(fileOf(old));
    expect(junit10.ok).toBe(false);
    expect(junit10.output).toContain("The attribute 'skipped' is not allowed");
    expect(junit10.output).toContain("Element 'properties': This element is not expected");
    expect(surefire.ok).toBe(false);
  });
});
