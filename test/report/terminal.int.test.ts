import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, workDir, writeSuite } from '../cli/cli-support.js';
import { eventually } from '../helpers/eventually.js';

/**
 * The live progress view in a real terminal (tmux), read back with capture-pane: what a person sees at
 * 60 to 200 columns, with and without colour.
 */
const SUITE = `
name: terminal
defaults: { concurrency: 3, target: 0.9 }
tasks:
  - id: a
    command: [node, -e, "setTimeout(() => console.log('done'), 2500)"]
  - id: a-much-longer-task-name-here
    command: [node, -e, "setTimeout(() => console.log('done'), 2500)"]
  - id: b
    command: [node, -e, "console.log('quick')"]
`;

const sessions: string[] = [];
afterAll(() => {
  for (const name of sessions) {
    try {
      execFileSync('tmux', ['kill-session', '-t', name]);
    } catch {
      // already gone
    }
  }
});

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

const ESC = String.fromCharCode(27);
const stripEscapes = (text: string): string => text.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

async function runIn(columns: number, color: boolean): Promise<{ live: string; final: string }> {
  const dir = workDir();
  const suite = writeSuite(dir, SUITE);
  const out = join(dir, 'out');
  const name = `cc-stress-${columns}-${color ? 'c' : 'p'}-${process.pid}`;
  sessions.push(name);
  const env = [`CC_STRESS_HISTORY=${join(dir, 'history.db')}`, color ? 'FORCE_COLOR=1' : 'NO_COLOR=1'];
  const command = `env -u CI -u GITHUB_ACTIONS ${env.join(' ')} ${process.execPath} ${CLI} run ${suite} --out ${out}; sleep 60`;
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', '40', command);
  const capture = (): string => tmux('capture-pane', '-p', '-e', '-t', name);
  await eventually(
    () => /a-much-longer/.test(capture()) && /\n {2}a +/.test(stripEscapes(capture())),
    'both slow tasks drawn',
    30_000,
    100,
  );
  const live = capture();
  await eventually(
    () => existsSync(join(out, 'report.json')) && /Reports/.test(capture()),
    'the run ended',
    30_000,
    100,
  );
  return { live, final: capture() };
}

describe('progress view in a real terminal', () => {
  it.each([
    [60, false],
    [70, true],
    [120, true],
    [200, false],
  ])(
    'at %i columns (colour %s): the success rate stays visible, bars line up, nothing bleeds',
    async (columns, color) => {
      const { live, final } = await runIn(columns, color);
      const plainLive = stripEscapes(live).split('\n');
      // Task bars start in the same column whatever the label's length.
      const barColumns = plainLive
        .filter(
          (line) => /^ {2}(a|a-much-longer)/.test(line) && line.includes('█') === false && line.includes('░'),
        )
        .map((line) => line.indexOf('░'));
      const rows = plainLive.filter((line) => /^ {2}(a |a-much)/.test(line));
      const starts = rows.map((line) => line.search(/[█░]/)).filter((i) => i >= 0);
      expect(starts.length, live).toBe(2);
      expect(new Set(starts).size, live).toBe(1);
      expect(barColumns.length).toBeLessThanOrEqual(2);

      const plainFinal = stripEscapes(final);
      // The last frame of the overall line keeps the success rate against the target.
      expect(plainFinal).toMatch(/success 100\.0%/);
      for (const line of plainFinal.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
      if (color) {
        // The summary heading starts with no colour left open from the bars.
        const heading = final.split('\n').find((line) => stripEscapes(line).startsWith('Summary'))!;
        expect(heading).toBeDefined();
        expect(heading).not.toMatch(new RegExp(`^${ESC}\\[32m`));
      }
    },
  );
});
