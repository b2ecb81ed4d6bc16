import { beforeAll, describe, expect, it } from 'vitest';
import { samplesOf } from '../../src/timeouts/samples.js';
import { GEMINI_TIMING } from './fake-api/gemini.js';
import { OPENAI_TIMING } from './fake-api/openai.js';
import type { LoggedRequest } from './fake-api/server.js';
import {
  historyRuns,
  jsonLines,
  lastAttempt,
  type Report,
  type ReportAttempt,
  verbClassKey,
} from './harness/results.js';
import {
  runScenarioSuite,
  SCENARIO_STALL_MS,
  SCENARIO_TIME_SCALE,
  type ScenarioRun,
} from './harness/scenario-run.js';

/**
 * The real Codex CLI and Gemini CLI, one task per CLI and scenario of their fake APIs, in one cc-stress run
 * inside a loopback-only network namespace. Timings are scaled by 0.1 and the stall limit is a fixed 6 s.
 */

const TIME_SCALE = SCENARIO_TIME_SCALE;
const STALL_MS = SCENARIO_STALL_MS;

let report: Report;
let requests: LoggedRequest[];
let workDir: string;
let done: ScenarioRun['done'];
let suiteFile: string;

beforeAll(async () => {
  ({
    report,
    requests,
    workDir,
    done,
    suite: suiteFile,
  } = await runScenarioSuite('codex-gemini-scenarios.yaml', ['openai', 'gemini']));
}, 200_000);

/** Gemini's retried scenarios run as a task of their own, with room for its unscaled retry wait. */
const GEMINI_RETRIED = new Set(['storm-429', 'storm-503', 'server-error']);
const attempt = (cli: string, scenario: string): ReportAttempt =>
  lastAttempt(
    report,
    `${cli}${cli === 'gemini' && GEMINI_RETRIED.has(scenario) ? '-retried' : ''}[scenario=${scenario}]`,
  );
const apiOf = { codex: 'openai', gemini: 'gemini' } as const;
type Cli = keyof typeof apiOf;
const requestsOf = (cli: Cli, scenario: string) =>
  requests.filter((r) => r.api === apiOf[cli] && r.scenario === scenario);

/** Each CLI's own success event, which a pass must rest on. */
const SUCCESS: Record<Cli, Record<string, unknown>> = {
  codex: { type: 'turn.completed' },
  gemini: { type: 'result', status: 'success' },
};

describe('real codex and gemini: the run', () => {
  it('passes its gate: seven of 22 tasks pass (four of codex, three of gemini) against a target of 0.3', () => {
    expect(report.tasks.filter((task) => task.reason === 'passed')).toHaveLength(7);
    expect(report.verdict).toBe('pass');
    expect(done.code, done.stderr).toBe(0);
  });

  it('answers every request the CLIs made from a script, none unknown', () => {
    expect(requests.filter((r) => r.scenario === 'unknown')).toEqual([]);
  });
});

/** The scenarios each CLI passes; Gemini's long think is not among them, as it never shows its thoughts. */
const PASSING: Record<Cli, string[]> = {
  codex: ['normal', 'long-think', 'long-tool', 'trickle'],
  gemini: ['normal', 'long-tool', 'trickle'],
};

const thinkMsOf = (cli: Cli) => (cli === 'codex' ? OPENAI_TIMING : GEMINI_TIMING).thinkMs * TIME_SCALE;

/** Whether any of the CLI's JSON lines holds the text. */
const printed = (a: ReportAttempt, text: string) =>
  jsonLines(a).some((line) => JSON.stringify(line).includes(text));

/** The stall evidence names the last real progress, a full stall limit before the kill. */
function expectStalledAfterLastProgress(a: ReportAttempt): void {
  expect(a.reason, a.messages.join('\n')).toBe('stalled');
  const last = new RegExp(
    `stall limit ${STALL_MS / 1000}s.*last progress: (stdout|stderr|agent-event|cpu|io|[a-z_.-]+) at (\\d+\\.\\d)s`,
  ).exec(a.messages[0] ?? '');
  expect(last, a.messages[0]).not.toBeNull();
  expect(a.durationMs / 1000 - Number(last![2])).toBeGreaterThanOrEqual(STALL_MS / 1000 - 0.1);
  expect(a.durationMs).toBeLessThan(a.limits.maxMs);
}

describe.each(['codex', 'gemini'] as const)('real %s', (cli) => {
  it.each(PASSING[cli])('%s passes on the CLI success event and exit 0', (scenario) => {
    const a = attempt(cli, scenario);
    expect(a.reason, a.messages.join('\n')).toBe('passed');
    expect(a.exitCode).toBe(0);
    expect(jsonLines(a).at(-1)).toMatchObject(SUCCESS[cli]);
  });

  it('stalls a think of keep-alives only at the stall limit, like a dead stream', () => {
    const a = attempt(cli, 'pings-only');
    expectStalledAfterLastProgress(a);
    // Killed before the think ended, keep-alives still coming: no answer.
    expect(printed(a, 'After long thought')).toBe(false);
    expect(requestsOf(cli, 'pings-only')).toHaveLength(1);
  });

  it('stalls a dead stream at the stall limit, naming the last progress', () => {
    const a = attempt(cli, 'dead-stream');
    expectStalledAfterLastProgress(a);
    expect(requestsOf(cli, 'dead-stream')).toHaveLength(1);
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
    const runs = historyRuns(workDir, verbClassKey(suiteFile, `${cli}[scenario=normal]`));
    expect(runs).toHaveLength(11);
    for (const scenario of ['storm-429', 'storm-503']) {
      const matching = runs.filter((run) => run.durationMs === attempt(cli, scenario).durationMs);
      expect(matching.map((run) => run.outcome)).toEqual(['retry-later']);
    }
    expect(runs.filter((run) => run.outcome === 'retry-later')).toHaveLength(2);
    // The product's own sampling drops both storms from the duration samples it learns limits from.
    const samples = samplesOf(runs, 'duration', runs.length);
    expect(samples.droppedRetryLater).toBe(2);
    for (const id of ['storm-429', 'storm-503'])
      expect([...samples.finite]).not.toContain(attempt(cli, id).durationMs);
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

  it('does not stall the long think, whose reasoning summaries it prints, at the stall limit', () => {
    const a = attempt('codex', 'long-think');
    expect(a.limits.stallMs).toBe(STALL_MS);
    expect(a.reason, a.messages.join('\n')).toBe('passed');
    expect(thinkMsOf('codex')).toBeGreaterThanOrEqual(2 * STALL_MS);
    expect(a.durationMs).toBeGreaterThan(thinkMsOf('codex'));
    // Each reasoning item reached stdout as it was done.
    const reasoning = jsonLines(a).filter(
      (line) => line.type === 'item.completed' && (line.item as { type?: unknown })?.type === 'reasoning',
    );
    expect(reasoning).toHaveLength(OPENAI_TIMING.thinkMs / OPENAI_TIMING.thoughtEveryMs);
    expect(requestsOf('codex', 'long-think')).toHaveLength(1);
  });
});

describe('real gemini: a 500 and a long think', () => {
  it('fails a 500 it retried, with its status', () => {
    const a = attempt('gemini', 'server-error');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toMatch(/^API status 500: /);
    expect(requestsOf('gemini', 'server-error')).toHaveLength(2);
  });

  // Gemini CLI 0.61 prints no stream-json event for thought parts (only text parts become `message`
  // events), so a think that streams thoughts looks to cc-stress like a dead stream: it is judged by the
  // stall limit of its class, here the fixed 6 s, and stalled well before the 12 s think ends.
  it('stalls the long think at the stall limit, as it prints nothing of its thoughts', () => {
    const a = attempt('gemini', 'long-think');
    expectStalledAfterLastProgress(a);
    // Killed before the think ended; none of the thoughts the API streamed were printed.
    expect(printed(a, 'After long thought')).toBe(false);
    expect(printed(a, 'Weighing option')).toBe(false);
    expect(requestsOf('gemini', 'long-think')).toHaveLength(1);
  });
});
