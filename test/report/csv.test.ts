import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, statsCsv } from '../../src/report/csv.js';
import { attempt, report, task } from './fixtures.js';

/** A strict RFC 4180 reader: records of fields, quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) throw new Error('the last record has no CRLF');
  return rows;
}

describe('statsCsv', () => {
  it('has a row for the run, each category and each task, with p50/p95/max in ms', () => {
    const tasks = [
      task('a#1', [attempt({ durationMs: 1000 })], { category: 'build' }),
      task('a#2', [attempt({ durationMs: 3000 })], { category: 'build' }),
      task('b', [attempt({ reason: 'failed', durationMs: 500 })]),
      task('c', []),
    ];
    const rows = parseCsv(statsCsv(report(tasks)));
    expect(rows[0]).toEqual([
      'scope',
      'name',
      'category',
      'tasks',
      'passed',
      'success_rate',
      'attempts',
      'p50_ms',
      'p95_ms',
      'max_ms',
    ]);
    expect(rows.slice(1)).toEqual([
      ['run', 'demo', '', '4', '2', '0.5', '3', '1000', '3000', '3000'],
      ['category', 'build', 'build', '2', '2', '1', '2', '1000', '3000', '3000'],
      ['category', '(none)', '(none)', '2', '0', '0', '1', '500', '500', '500'],
      ['task', 'a', 'build', '2', '2', '1', '2', '1000', '3000', '3000'],
      ['task', 'b', '', '1', '0', '0', '1', '500', '500', '500'],
      ['task', 'c', '', '1', '0', '0', '0', '', '', ''],
    ]);
  });

  it('quotes any text so that it reads back as one field, and defuses spreadsheet formulas', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const [[back]] = parseCsv(`${csvField(text)}\r\n`) as [[string]];
        expect(back).toBe(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
      }),
      { numRuns: 500 },
    );
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});
