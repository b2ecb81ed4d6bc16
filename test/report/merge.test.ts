import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeReport } from '../../src/report/json.js';
import {
  MergeError,
  mergeReports,
  missingShards,
  ReportReadError,
  readReport,
} from '../../src/report/merge.js';
import type { EndReason, RunReport, TaskResult } from '../../src/run/types.js';
import { attempt, report, task } from './fixtures.js';

const REASONS: EndReason[] = ['passed', 'failed', 'timed-out', 'stalled', 'crashed', 'cancelled'];

function taskWith(id: string, reason: EndReason, flaky = false): TaskResult {
  if (reason === 'cancelled') return task(id, []);
  return task(id, flaky ? [attempt({ reason: 'failed' }), attempt({ reason })] : [attempt({ reason })]);
}

describe('mergeReports', () => {
  it('concatenates shards, keeps the last result of a re-run task in its first place, and recomputes the gate', () => {
    const one = report([taskWith('a', 'passed'), taskWith('b', 'failed')], {
      shard: { index: 1, total: 2 },
      startedAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T10:05:00.000Z',
    });
    const two = report([taskWith('c', 'passed'), taskWith('b', 'passed')], {
      shard: { index: 2, total: 2 },
      startedAt: '2025-03-01T09:59:00.000Z',
      endedAt: '2025-03-01T10:03:00.000Z',
      interrupted: true,
    });
    const merged = mergeReports([one, two]);
    expect(merged.tasks.map((t) => [t.id, t.reason])).toEqual([
      ['a', 'passed'],
      ['b', 'passed'],
      ['c', 'passed'],
    ]);
    expect(merged.totals.total).toBe(3);
    expect(merged.successRate).toBe(1);
    // A shard that was interrupted left part of the suite unrun: the merge never passes on it.
    expect(merged.verdict).toBe('interrupted');
    expect(merged.startedAt).toBe('2025-03-01T09:59:00.000Z');
    expect(merged.endedAt).toBe('2025-03-01T10:05:00.000Z');
    expect(merged.durationMs).toBe(6 * 60_000);
    expect(merged.interrupted).toBe(true);
    expect(merged).not.toHaveProperty('shard');
  });

  it('refuses shards run with different targets, naming both', () => {
    const a = report([taskWith('a', 'passed')], { target: 0.9 });
    const b = report([taskWith('b', 'passed')], { target: 0.8 });
    expect(() => mergeReports([a, b], { labels: ['s1.json', 's2.json'] })).toThrow(MergeError);
    expect(() => mergeReports([a, b], { labels: ['s1.json', 's2.json'] })).toThrow(
      /0\.9 in s1\.json, 0\.8 in s2\.json/,
    );
  });

  it('refuses reports of different suites and an empty list', () => {
    const a = report([taskWith('a', 'passed')]);
    const b = report([taskWith('b', 'passed')], { suite: { name: 'other', file: 'x.yaml' } });
    expect(() => mergeReports([a, b])).toThrow(/different suites/);
    expect(() => mergeReports([])).toThrow(/no reports/);
  });

  it('gives the same totals, rate and verdict as the unsplit run, whatever the split', () => {
    const reasons = fc.constantFrom(...REASONS);
    fc.assert(
      fc.property(
        fc.array(fc.record({ reason: reasons, flaky: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        fc.constantFrom(0, 0.5, 0.8, 0.9, 1),
        (specs, shardCount, picks, interrupted, target) => {
          const tasks = specs.map((s, i) => taskWith(`t${i}`, s.reason, s.flaky && s.reason === 'passed'));
          const whole = report(tasks, { interrupted, target });
          const buckets: TaskResult[][] = Array.from({ length: shardCount }, () => []);
          const iterator = picks[Symbol.iterator]();
          for (const t of tasks) buckets[(iterator.next().value as number) % shardCount]!.push(t);
          // An interrupted run is interrupted in at least one shard (here the first).
          const shards = buckets.map((b, i) =>
            report(b, {
              interrupted: interrupted && i === 0,
              target,
              shard: { index: i + 1, total: shardCount },
            }),
          );
          const merged = mergeReports(shards);
          expect(merged.totals).toEqual(whole.totals);
          expect(merged.successRate).toBeCloseTo(whole.successRate, 12);
          expect(merged.verdict).toBe(whole.verdict);
          expect(missingShards(shards)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('missingShards', () => {
  const shard = (index: number, total: number): RunReport => report([], { shard: { index, total } });

  it('names the shards a merge job did not get', () => {
    expect(missingShards([shard(1, 4), shard(4, 4), shard(2, 4)])).toEqual([3]);
  });

  it('has no answer for reports that are not shards of one split', () => {
    expect(missingShards([report([])])).toBeUndefined();
    expect(missingShards([shard(1, 2), shard(1, 3)])).toBeUndefined();
  });
});

describe('readReport', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-stress-read-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fileWith(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  function errorOf(path: string): string {
    try {
      readReport(path);
    } catch (error) {
      expect(error).toBeInstanceOf(ReportReadError);
      return (error as Error).message;
    }
    throw new Error('expected readReport to fail');
  }

  it('names the file and the exact field that is wrong, in one line', async () => {
    const bad = JSON.parse(serializeReport(report([taskWith('a', 'failed')]))) as RunReport;
    (bad.tasks[0]!.attempts[0] as unknown as Record<string, unknown>).reason = 'exploded';
    const path = await fileWith('bad-field.json', JSON.stringify(bad));
    const message = errorOf(path);
    expect(message).toMatch(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tasks\\[0\\]\\.attempts\\[0\\]\\.reason: `,
      ),
    );
    expect(message).not.toContain('\n');
  });

  it('reports a missing field by its path', async () => {
    const bad = JSON.parse(serializeReport(report([]))) as Record<string, unknown>;
    delete bad.totals;
    expect(errorOf(await fileWith('no-totals.json', JSON.stringify(bad)))).toMatch(/: totals: /);
  });

  it('tells apart a missing file, broken JSON and a report from a newer version', async () => {
    expect(errorOf(join(dir, 'nope.json'))).toMatch(/nope\.json: cannot read the report \(no such file\)/);
    expect(errorOf(await fileWith('broken.json', '{"schemaVersion": 1,'))).toMatch(
      /broken\.json: not valid JSON/,
    );
    const newer = { ...report([]), schemaVersion: 3 };
    expect(errorOf(await fileWith('v3.json', JSON.stringify(newer)))).toMatch(
      /v3\.json: schemaVersion 3 is not supported; this cc-stress reads versions 1 to 2, upgrade/,
    );
  });

  it('reads a version 1 report, whose interrupted run could still say pass, as interrupted', async () => {
    const v1 = { ...report([taskWith('a', 'passed')]), schemaVersion: 1, interrupted: true, verdict: 'pass' };
    const read = readReport(await fileWith('v1.json', JSON.stringify(v1)));
    expect(read.schemaVersion).toBe(2);
    expect(read.verdict).toBe('interrupted');
  });

  it('reads a report that has fields added by a newer compatible version', async () => {
    const extended = { ...report([taskWith('a', 'passed')]), hostname: 'ci-7' };
    const read = readReport(await fileWith('extended.json', JSON.stringify(extended)));
    expect(read.tasks).toHaveLength(1);
    expect(read).not.toHaveProperty('hostname');
  });
});
