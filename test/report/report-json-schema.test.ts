import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serializeReport } from '../../src/report/json.js';
import { REPORT_SCHEMA_PATH, reportJsonSchemaText } from '../../src/report/write-json-schema.js';
import { computeStats } from '../../src/run/stats.js';
import { publishedReportValidator } from '../helpers/report-schema.js';
import { attempt, HOSTILE, report, task } from './fixtures.js';

const validate = publishedReportValidator();
const roundTrip = (value: unknown): unknown => JSON.parse(serializeReport(value as never));

const tasks = [
  task('ok', [attempt()], { category: 'simple', line: 3 }),
  task('bad', [attempt({ reason: 'failed' })]),
  task('flaky', [attempt({ reason: 'stalled' }), attempt()]),
  task('slow', [attempt({ reason: 'timed-out' })]),
  task('boom', [attempt({ reason: 'crashed', exitCode: null })]),
  task('never', []),
];

describe('schema/report.schema.json', () => {
  it('is the schema generated from the zod schema reports are read with', () => {
    const stale = 'schema/report.schema.json is stale: npm run schema';
    expect(readFileSync(REPORT_SCHEMA_PATH, 'utf8'), stale).toBe(reportJsonSchemaText());
  });

  it('accepts reports of every shape the runner and merge-reports write', () => {
    const shapes = [
      report(tasks, { stats: computeStats(tasks, false) }),
      report(tasks, { interrupted: true, shard: { index: 1, total: 2, split: '0123456789abcdef' } }),
      report([]),
      report([task('h', [attempt({ messages: [HOSTILE], outputTail: HOSTILE })], { name: HOSTILE })]),
    ];
    for (const shape of shapes) expect(validate(roundTrip(shape))).toEqual([]);
    expect(shapes[1]!.verdict).toBe('interrupted');
  });

  it('lets readers meet fields a newer version adds, as the versioning rules promise', () => {
    expect(validate({ ...(roundTrip(report(tasks)) as object), hostname: 'ci-7' })).toEqual([]);
  });

  it('rejects what a reader could misread', () => {
    const good = roundTrip(report(tasks)) as Record<string, unknown>;
    expect(validate({ ...good, verdict: 'maybe' }).join()).toMatch(/\/verdict/);
    expect(validate({ ...good, schemaVersion: 1 }).join()).toMatch(/\/schemaVersion/);
    expect(validate({ ...good, successRate: 1.5 }).join()).toMatch(/\/successRate/);
    expect(validate({ ...good, startedAt: 'yesterday' }).join()).toMatch(/\/startedAt/);
    const { totals: _, ...noTotals } = good;
    expect(validate(noTotals).join()).toMatch(/totals/);
    const badTask = { ...good, tasks: [{ ...(good.tasks as object[])[0], reason: 'exploded' }] };
    expect(validate(badTask).join()).toMatch(/\/tasks\/0\/reason/);
  });
});
