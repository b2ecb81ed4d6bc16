import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GEMINI_TIMING } from './fake-api/gemini.js';
import { OPENAI_TIMING } from './fake-api/openai.js';
import type { LoggedRequest } from './fake-api/server.js';
import { historyRuns, lastAttempt, type Report, type ReportAttempt, readReport } from './harness/results.js';
import { loggedRequests, runInNamespace } from './harness/run-in-namespace.js';

/**
 * The real Codex CLI and Gemini CLI, one task per CLI and scenario of their fake APIs, in one cc-stress run
 * inside a loopback-only network namespace. Timings are scaled by 0.1 and the stall limit is a fixed 6 s.
 */

const SUITE = fileURLToPath(new URL('./suites/codex-gemini-scenarios.yaml', import.meta.url));
const TIME_SCALE = 0.1;
const STALL_MS = 6_000;

let report: Report;
let requests: LoggedRequest[];
let workDir: string;
let done: { code: number | null; stderr: string };

beforeAll(async () => {
  const run = runInNamespace({
    apis: ['openai', 'gemini'],
    args: ['run', SUITE, '--out', 'reports', '--reporter', 'line,json'],
    timeScale: TIME_SCALE,
  });
  workDir = run.workDir;
  await run.ready;
  done = await run.done;
  report = readReport(workDir);
  requests = loggedRequests(workDir);
}, 200_000);

const attempt = (cli: string, scenario: string): ReportAttempt =>
  lastAttempt(
    report,
    `${cli}${scenario === 'dead-stream' && cli === 'codex' ? '-hang' : ''}[scenario=${scenario}]`,
  );
const apiOf = { codex: 'openai', gemini: 'gemini' } as const;
type Cli = keyof typeof apiOf;
const requestsOf = (cli: Cli, scenario: string) =>
  requests.filter((r) => r.api === apiOf[cli] && r.scenario === scenario);

/** The CLI's JSON lines in the attempt's log, in order. */
function jsonLines(a: ReportAttempt): Record<string, unknown>[] {
  return readFileSync(a.logPath, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const start = line.indexOf('{"');
      if (start < 0) return [];
      try {
        return [JSON.parse(line.slice(start)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Each CLI's own success event, which a pass must rest on. */
const SUCCESS: Record<Cli, Record<string, unknown>> = {
  codex: { type: 'turn.completed' },
  gemini: { type: 'result', status: 'success' },
};

describe('real codex and gemini: the run', () => {
  it('passes its gate: four scenarios of each CLI pass against a target of 0.35', () => {
    expect(report.tasks.filter((task) => task.reason === 'passed')).toHaveLength(8);
    expect(report.verdict).toBe('pass');
    expect(done.code, done.stderr).toBe(0);
  });

  it('answers every request the CLIs made from a script, none unknown', () => {
    expect(requests.filter((r) => r.scenario === 'unknown')).toEqual([]);
  });
});

describe.each(['codex', 'gemini'] as const)('real %s', (cli) => {
  it.each(['normal', 'long-think', 'long-tool', 'trickle'])(
    '%s passes on the CLI success event and exit 0',
    (scenario) => {
      const a = attempt(cli, scenario);
      expect(a.reason, a.messages.join('\n')).toBe('passed');
      expect(a.exitCode).toBe(0);
      expect(jsonLines(a).at(-1)).toMatchObject(SUCCESS[cli]);
    },
  );

  it('does not stall the long think at the stall limit', () => {
    const a = attempt(cli, 'long-think');
    expect(a.limits.stallMs).toBe(STALL_MS);
    const thinkMs = (cli === 'codex' ? OPENAI_TIMING : GEMINI_TIMING).thinkMs * TIME_SCALE;
    expect(thinkMs).toBeGreaterThanOrEqual(2 * STALL_MS);
    expect(a.durationMs).toBeGreaterThan(thinkMs);
    expect(requestsOf(cli, 'long-think')).toHaveLength(1);
  });

  it('does not stall the long silent shell command at the stall limit', () => {
    const a = attempt(cli, 'long-tool');
    expect(a.limits.stallMs).toBe(STALL_MS);
    const toolMs = (cli === 'codex' ? OPENAI_TIMING : GEMINI_TIMING).toolMs * TIME_SCALE;
    expect(toolMs).toBeGreaterThan(STALL_MS);
    expect(a.durationMs).toBeGreaterThan(toolMs);
    // The CLI really ran the command and came back with its result.
    expect(requestsOf(cli, 'long-tool').map((r) => r.note)).toEqual([
      `${cli === 'codex' ? 'exec_command' : 'run_shell_command'}, silent ${toolMs} ms`,
      'answer after the tool',
    ]);
  });

  it.each([
    ['storm-429', 429, 'rate limited'],
    ['storm-503', 503, 'overloaded'],
  ])('%s is reported as %s with the API status after the CLI gave up', (scenario, status, words) => {
    const a = attempt(cli, scenario);
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain(`${words} (API status ${status}), retry later`);
    // Retried to exhaustion: codex 3 streams (2 reconnects) of up to 2 requests, gemini 2 attempts.
    expect(requestsOf(cli, scenario).length).toBeGreaterThanOrEqual(cli === 'codex' ? 3 : 2);
  });

  it('does not keep a storm as a duration sample in the history', () => {
    const runs = historyRuns(workDir, cli === 'codex' ? 'verb:codex exec' : 'verb:gemini -p');
    expect(runs).toHaveLength(10);
    for (const scenario of ['storm-429', 'storm-503']) {
      const matching = runs.filter((run) => run.durationMs === attempt(cli, scenario).durationMs);
      expect(matching.map((run) => run.outcome)).toEqual(['retry-later']);
    }
    expect(runs.filter((run) => run.outcome === 'retry-later')).toHaveLength(2);
  });

  it('fails a 400 with its status, not as a storm, without waiting for a limit', () => {
    const a = attempt(cli, 'bad-request');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toMatch(/^API status 400: /);
    expect(a.durationMs).toBeLessThan(a.limits.maxMs / 2);
    expect(requestsOf(cli, 'bad-request')).toHaveLength(1);
  });

  it('fails a connection reset mid-stream, which the CLI reports itself', () => {
    const a = attempt(cli, 'dropped');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).not.toContain('retry later');
    // Codex reconnects twice before it gives up; Gemini gives up at once.
    expect(requestsOf(cli, 'dropped')).toHaveLength(cli === 'codex' ? 3 : 1);
  });
});

describe('real codex: what it does not say', () => {
  it('fails a 500 without its status: Codex prints only "high demand" for it', () => {
    const a = attempt('codex', 'server-error');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain('experiencing high demand');
    expect(a.messages[0]).not.toMatch(/API status|retry later/);
  });

  it('is never stalled on a dead stream, as its log writes are I/O, and ends at the max limit', () => {
    const a = attempt('codex', 'dead-stream');
    expect(a.reason).toBe('timed-out');
    expect(a.messages[0]).toMatch(/max limit 30s.*last progress: io at \d+\.\ds/);
    expect(requestsOf('codex', 'dead-stream')).toHaveLength(1);
  });
});

describe('real gemini: a 500 and a dead stream', () => {
  it('fails a 500 it retried, with its status', () => {
    const a = attempt('gemini', 'server-error');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toMatch(/^API status 500: /);
    expect(requestsOf('gemini', 'server-error')).toHaveLength(2);
  });

  it('stalls a dead stream at the stall limit, naming the last progress', () => {
    const a = attempt('gemini', 'dead-stream');
    expect(a.reason, a.messages.join('\n')).toBe('stalled');
    expect(a.messages[0]).toMatch(
      new RegExp(
        `stall limit ${STALL_MS / 1000}s.*last progress: (stdout|stderr|agent-event|cpu|io) at \\d+\\.\\ds`,
      ),
    );
    expect(a.durationMs).toBeLessThan(a.limits.maxMs);
    expect(requestsOf('gemini', 'dead-stream')).toHaveLength(1);
  });
});
