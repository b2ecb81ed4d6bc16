import { existsSync, mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReporters, parseReporterNames, readReport } from '../../src/report/index.js';
import type { Reporter } from '../../src/report/types.js';
import { attempt, attemptStart, Capture, raw, report, spec, startInfo, task } from './fixtures.js';

let dir = '';
afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function drive(reporter: Reporter): Promise<void> {
  const t = spec('a');
  const result = attempt({ reason: 'failed', messages: ['boom'] });
  reporter.onBegin?.(startInfo([t]));
  reporter.onTaskBegin?.(attemptStart(t));
  reporter.onTaskEnd?.(t, result, raw(result), false);
  await reporter.onEnd?.(report([task('a', [result])]));
}

describe('createReporters', () => {
  it("'auto' draws progress bars on a terminal", async () => {
    const stream = new Capture({ tty: true });
    await drive(
      createReporters({ reporters: ['auto'], outDir: 'unused', stream, color: false, ci: false, env: {} }),
    );
    expect(stream.text()).toContain('\u001b[?25l');
    expect(stream.text()).toContain('overall');
  });

  it("'auto' prints lines without cursor movement under CI, even on a terminal, and on a pipe", async () => {
    for (const options of [
      { stream: new Capture({ tty: true }), ci: true },
      { stream: new Capture({ tty: false }), ci: false },
    ]) {
      await drive(
        createReporters({ reporters: ['auto'], outDir: 'unused', color: true, env: {}, ...options }),
      );
      const text = options.stream.text();
      expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toContain('failed     Task a [a] in 1.5s (exit 1): boom');
      // Colour codes at most; nothing that moves the cursor or redraws.
      expect(text).not.toMatch(/\u001b(?!\[[0-9;]*m)/);
    }
  });

  it("turns an explicit 'progress' into lines where bars cannot be drawn", async () => {
    const stream = new Capture({ tty: false });
    await drive(
      createReporters({ reporters: ['progress'], outDir: 'unused', stream, color: false, ci: false }),
    );
    expect(stream.lines()[0]).toMatch(/^cc-stress demo: 1 task\(s\)/);
  });

  it('writes the report files and lists them in the summary', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-stress-reporters-'));
    const stream = new Capture();
    const stdout = new Capture();
    await drive(
      createReporters({
        reporters: ['json,junit', 'summary'],
        outDir: dir,
        stream,
        stdout,
        color: false,
        ci: true,
      }),
    );
    expect(readReport(join(dir, 'report.json')).tasks[0]!.id).toBe('a');
    expect(existsSync(join(dir, 'junit.xml'))).toBe(true);
    // The summary is the result: on stdout, so `cc-stress run … > log` keeps it.
    expect(stdout.text()).toContain(`Reports\n  ${join(dir, 'report.json')}\n  ${join(dir, 'junit.xml')}`);
    expect(stdout.text()).toContain('Success rate 0.0% (0 of 1) vs target 90.0%: FAIL');
    expect(stream.text()).not.toContain('Success rate');
  });
});

describe('createReporters under GitHub Actions', () => {
  const run = async (reporters: string[], actions: boolean): Promise<string> => {
    const stdout = new Capture();
    await drive(
      createReporters({
        reporters,
        outDir: mkdtempSync(join(tmpdir(), 'cc-stress-github-')),
        stream: new Capture(),
        stdout,
        color: false,
        ci: true,
        github: { actions, workspace: '/' },
      }),
    );
    return stdout.text();
  };

  it("adds annotations to 'auto' when GITHUB_ACTIONS=true, and to an explicit 'github' anywhere", async () => {
    expect(await run(['auto'], true)).toContain('::error title=cc-stress%3A FAIL::');
    expect(await run(['auto'], false)).toBe('');
    expect(await run(['github'], false)).toContain(
      '::error file=suites/demo.yaml,title=cc-stress%3A failed a::',
    );
    // A list without auto or github is taken as meant.
    expect(await run(['line', 'json'], true)).toBe('');
  });
});

describe('parseReporterNames', () => {
  it('accepts lists and comma lists, once each', () => {
    expect(parseReporterNames(['auto,json', 'json', ' junit '])).toEqual(['auto', 'json', 'junit']);
  });

  it('names the unknown reporter and the known ones', () => {
    expect(() => parseReporterNames(['json', 'pdf'])).toThrow(
      'unknown reporter "pdf"; use one or more of: progress, line, json, junit, html, summary, auto, github, markdown, csv',
    );
  });
});
