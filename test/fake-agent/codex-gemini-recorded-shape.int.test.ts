import { describe, expect, it } from 'vitest';
import { recording } from '../helpers/recorded-cli.js';
import { runFakeAgent } from './support.js';

/**
 * The simulated agent must keep printing what the real Codex CLI 0.171.0 and Gemini CLI 0.61.0 print: in
 * each matching scenario, the same line kinds in the same order, and on each line the same field names, at
 * the top and one level down (codex's `item`, `usage` and `error`; gemini's `stats` and `error`). When this
 * fails after re-recording a new CLI version, update src/fake-agent/writers/{codex,gemini}.ts to the new shape.
 */

type Line = Record<string, unknown>;

const NESTED = ['item', 'usage', 'error', 'stats'];

/** One line's shape: its kind (with the item type and message role) and its sorted field names. */
function shape(line: Line) {
  const item = line.item as { type?: string } | undefined;
  const kind = [line.type, item?.type, line.role].filter((part) => part !== undefined).join(':');
  const nested = Object.fromEntries(
    NESTED.filter((key) => typeof line[key] === 'object' && line[key] !== null).map((key) => [
      key,
      Object.keys(line[key] as object)
        .sort()
        .join(','),
    ]),
  );
  return { kind, fields: Object.keys(line).sort().join(','), ...nested };
}

/** Consecutive lines of one shape fold into one: how many deltas or retries a session has is its own. */
function shapes(lines: Line[]) {
  return lines.map(shape).filter((s, i, all) => i === 0 || JSON.stringify(s) !== JSON.stringify(all[i - 1]));
}

const parse = (lines: string[]): Line[] => lines.map((line) => JSON.parse(line) as Line);

const quick = ['--fake-duration', '400ms'];
const CODEX_ARGS = ['exec', '--json', 'hi', '--fake-format', 'codex', ...quick];
const GEMINI_ARGS = ['-p', 'hi', '-o', 'stream-json', '--fake-format', 'gemini', ...quick];
const SCENARIOS: [string, string[]][] = [
  ['normal', ['--fake-turns', '1', '--fake-seed', '1']],
  ['long-tool', ['--fake-turns', '2', '--fake-tool-duration', '200ms', '--fake-seed', '2']],
  ['storm-429', ['--fake-fail', 'rate-limit', '--fake-retries', '2', '--fake-seed', '3']],
  ['storm-503', ['--fake-fail', 'overloaded', '--fake-retries', '2', '--fake-seed', '4']],
];

describe.each([
  ['codex-0.171.0', CODEX_ARGS],
  ['gemini-0.61.0', GEMINI_ARGS],
])('the simulated agent against recorded %s output', (cli, args) => {
  it.each(SCENARIOS)('prints what the real CLI printed in %s', async (scenario, fake) => {
    const real = recording(cli, scenario);
    const run = await runFakeAgent([...args, ...fake]);
    expect(shapes(run.events)).toEqual(shapes(parse(real.lines)));
    expect(run.exitCode).toBe(real.exitCode);
  });
});
