import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { serveReport } from '../../src/cli/show-report.js';
import type { RunReport } from '../../src/run/types.js';
import { isolatedEnv, runCli, workDir, writeSuite } from '../cli/cli-support.js';

/**
 * The HTML report in a real headless browser (Debian's chromium, installed by .ci/run): it loads with no
 * console error and no request leaving the page, and what it shows matches report.json.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = join(process.cwd(), 'reports', 'test-artefacts');

const SUITE = `
name: html-check
defaults: { retries: 1, target: 0.5 }
tasks:
  - id: quick-pass
    category: build
    command: [node, -e, "console.log('built')"]
  - id: wrong-output
    category: build
    command: echo nothing useful
    expect: { stdout: { contains: DONE } }
  - id: silent
    category: test
    command: [node, -e, "setTimeout(() => {}, 30000)"]
    timeout: { stall: 1, max: 20 }
  - id: markup
    name: "<script>alert(1)</script>"
    category: test
    command: [node, -e, "console.log('<b>not bold</b>')"]
`;

let server: Server | undefined;
afterAll(() => server?.close());

describe('HTML report', () => {
  it('loads cleanly in headless chromium and agrees with report.json', async () => {
    expect(existsSync(CHROMIUM), 'Debian chromium is installed (.ci/run installs it)').toBe(true);
    const dir = workDir();
    const out = join(dir, 'out');
    const run = await runCli(
      ['run', writeSuite(dir, SUITE), '--out', out, '--reporter', 'json,html'],
      isolatedEnv(dir),
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    server = await serveReport(out, 'report.html', '127.0.0.1', 0);
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`http://127.0.0.1:${port}/`);
      mkdirSync(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTEFACTS, 'html-report.png'), fullPage: true });

      expect(problems).toEqual([]);
      // Self-contained: the page asks for nothing but itself.
      expect(requests).toEqual([`http://127.0.0.1:${port}/`]);

      const headline = page.locator('#headline');
      expect(Number(await headline.getAttribute('data-success-rate'))).toBe(report.successRate);
      expect(Number(await headline.getAttribute('data-total'))).toBe(report.totals.total);
      expect(await headline.textContent()).toContain(`${(report.successRate * 100).toFixed(1)}%`);
      expect(await page.locator('#verdict').textContent()).toBe(report.verdict);

      const rows = page.locator('table.attempts tbody tr');
      const attempts = report.tasks.flatMap((t) => t.attempts.map((a) => ({ id: t.id, ...a })));
      expect(await rows.count()).toBe(attempts.length);
      for (const [i, attempt] of attempts.entries()) {
        const row = rows.nth(i);
        expect(await row.getAttribute('data-task-id')).toBe(attempt.id);
        expect(await row.getAttribute('data-reason')).toBe(attempt.reason);
        expect(Number(await row.getAttribute('data-duration-ms'))).toBe(attempt.durationMs);
        expect(await row.textContent()).toContain(attempt.limits.max.detail);
      }
      expect(await page.locator('svg g.attempt').count()).toBe(attempts.length);
      expect(await page.locator('tr[data-category="build"]').textContent()).toContain('50.0%');

      // The stalled task's log is one click away and served from the report folder.
      const silent = report.tasks.find((t) => t.id === 'silent')!;
      expect(silent.reason).toBe('stalled');
      const link = rows
        .filter({ has: page.locator('b', { hasText: /^silent$/ }) })
        .first()
        .locator('a');
      const log = await page.request.get(new URL((await link.getAttribute('href'))!, page.url()).href);
      expect(log.status()).toBe(200);
    } finally {
      await browser.close();
    }
    // A run with a stalled task and its retry, then a browser start: slow on a busy 2-core machine.
  }, 120_000);
});
