import { beforeAll, describe, expect, it } from 'vitest';
import { samplesOf } from '../../src/timeouts/samples.js';
import { ANTHROPIC_TIMING } from './fake-api/anthropic.js';
import type { LoggedRequest } from './fake-api/server.js';
import {
  historyRuns,
  jsonLines,
  lastAttempt,
  type Report,
  type ReportAttempt,
  resultLine,
  verbClassKey,
} from './harness/results.js';
import {
  runScenarioSuite,
  SCENARIO_STALL_MS,
  SCENARIO_TIME_SCALE,
  type ScenarioRun,
} from './harness/scenario-run.js';

/**
 * The real Claude Code CLI, one task per scenario of the fake Anthropic API, in one cc-stress run inside a
 * loopback-only network namespace. Timings are scaled by 0.1 and the suite's stall limit is a fixed 6 s.
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
  } = await runScenarioSuite('claude-scenarios.yaml', ['anthropic']));
}, 200_000);

const attempt = (id: string): ReportAttempt => lastAttempt(report, id);
const scenarioRequests = (scenario: string) => requests.filter((r) => r.scenario === scenario);

/** The thinking deltas the CLI printed as stream_event lines (--include-partial-messages). */
function thinkingDeltas(a: ReportAttempt): number {
  return jsonLines(a).filter(
    (line) =>
      line.type === 'stream_event' &&
      (line.event as { delta?: { type?: unknown } })?.delta?.type === 'thinking_delta',
  ).length;
}

describe('real claude: the run', () => {
  it('passes its gate: four of twelve scenarios pass against a target of 0.3', () => {
    expect(report.tasks.filter((task) => task.reason === 'passed')).toHaveLength(4);
    expect(report.verdict).toBe('pass');
    expect(done.code, done.stderr).toBe(0);
  });

  it('answers every request the CLI made from a script, none unknown', () => {
    expect(requests.filter((r) => r.scenario === 'unknown')).toEqual([]);
  });
});

describe('real claude: tasks that succeed', () => {
  it.each(['normal', 'long-think', 'long-tool', 'trickle'])(
    '%s passes on a result line with is_error false',
    (id) => {
      const a = attempt(id);
      expect(a.reason, a.messages.join('\n')).toBe('passed');
      expect(a.exitCode).toBe(0);
      expect(resultLine(a)).toMatchObject({ type: 'result', is_error: false, subtype: 'success' });
    },
  );

  it('does not stall the long think, whose thinking deltas the CLI prints, at the stall limit', () => {
    const a = attempt('long-think');
    expect(a.limits.stallMs).toBe(STALL_MS);
    expect(a.reason).toBe('passed');
    // The think itself lasted twice the stall limit.
    expect(ANTHROPIC_TIMING.thinkMs * TIME_SCALE).toBeGreaterThanOrEqual(2 * STALL_MS);
    expect(a.durationMs).toBeGreaterThan(ANTHROPIC_TIMING.thinkMs * TIME_SCALE);
    // With --include-partial-messages every thinking delta reached stdout as a stream_event line.
    expect(thinkingDeltas(a)).toBe(ANTHROPIC_TIMING.thinkMs / ANTHROPIC_TIMING.thoughtEveryMs);
    expect(scenarioRequests('long-think')).toHaveLength(1);
  });

  it('stalls a think of pings only at the stall limit, like a dead stream, naming the last real progress', () => {
    const a = attempt('pings-only');
    expect(a.reason, a.messages.join('\n')).toBe('stalled');
    expect(a.messages[0]).toContain(`stall limit ${STALL_MS / 1000}s`);
    const last = /last progress: ([a-z-]+) at (\d+\.\d)s/.exec(a.messages[0] ?? '');
    expect(last, a.messages[0]).not.toBeNull();
    expect(a.durationMs / 1000 - Number(last![2])).toBeGreaterThanOrEqual(STALL_MS / 1000 - 0.1);
    // Killed before the think ended, pings still coming: no answer and no thinking printed.
    expect(resultLine(a)).toBeUndefined();
    expect(thinkingDeltas(a)).toBe(0);
    expect(scenarioRequests('pings-only')).toHaveLength(1);
  });

  it('does not stall the long silent shell tool at the stall limit', () => {
    const a = attempt('long-tool');
    expect(a.limits.stallMs).toBe(STALL_MS);
    expect(a.reason).toBe('passed');
    expect(ANTHROPIC_TIMING.toolMs * TIME_SCALE).toBeGreaterThan(STALL_MS);
    expect(a.durationMs).toBeGreaterThan(ANTHROPIC_TIMING.toolMs * TIME_SCALE);
    // The CLI really ran the tool and came back with its result.
    expect(scenarioRequests('long-tool').map((r) => r.note)).toEqual([
      `Bash tool, silent ${ANTHROPIC_TIMING.toolMs * TIME_SCALE} ms`,
      'answer after the tool',
    ]);
    expect(resultLine(a)).toMatchObject({ num_turns: 2 });
  });
});

describe('real claude: API storms', () => {
  it.each([
    ['storm-429', 429, 'rate limited'],
    ['storm-529', 529, 'overloaded'],
  ])('%s is reported as %s with the API status after the CLI gave up', (id, status, words) => {
    const a = attempt(id);
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain(`${words} (API status ${status}), retry later`);
    // The CLI retried to exhaustion: a first try and CLAUDE_CODE_MAX_RETRIES=3 retries.
    expect(scenarioRequests(id)).toHaveLength(4);
  });

  it('does not keep a storm as a duration sample in the history', () => {
    const runs = historyRuns(workDir, verbClassKey(suiteFile, 'normal'));
    expect(runs).toHaveLength(report.tasks.length);
    for (const id of ['storm-429', 'storm-529']) {
      const matching = runs.filter((run) => run.durationMs === attempt(id).durationMs);
      expect(matching.map((run) => run.outcome)).toEqual(['retry-later']);
    }
    expect(runs.filter((run) => run.outcome === 'retry-later')).toHaveLength(2);
    // The product's own sampling drops both storms from the duration samples it learns limits from.
    const samples = samplesOf(runs, 'duration', runs.length);
    expect(samples.droppedRetryLater).toBe(2);
    for (const id of ['storm-429', 'storm-529'])
      expect([...samples.finite]).not.toContain(attempt(id).durationMs);
  });
});

describe('real claude: API errors', () => {
  it('fails a 400 with its status, without waiting for a limit', () => {
    const a = attempt('bad-request');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain('api_error_status 400');
    expect(a.messages[0]).not.toContain('retry later');
    expect(a.durationMs).toBeLessThan(a.limits.maxMs / 2);
  });

  it('fails a 500 the CLI retried, with its status', () => {
    const a = attempt('server-error');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain('api_error_status 500');
    expect(scenarioRequests('server-error')).toHaveLength(4);
  });

  it('fails a connection reset mid-stream, which the CLI retries and then reports', () => {
    const a = attempt('dropped');
    expect(a.reason).toBe('failed');
    expect(a.messages[0]).toContain('result.is_error was true');
    expect(String(resultLine(a)?.result)).toContain('ECONNRESET');
  });
});

describe('real claude: streams that go silent', () => {
  it.each(['dead-stream', 'dropped-silent'])(
    '%s is stalled at the stall limit, naming the last real progress',
    (id) => {
      const a = attempt(id);
      expect(a.reason, a.messages.join('\n')).toBe('stalled');
      expect(a.messages[0]).toContain(`stall limit ${STALL_MS / 1000}s`);
      // The last real sign of life is named, and it is a full stall limit before the kill: the CLI's idle
      // writes while it waits on the socket (a few bytes a second) did not count.
      const last = /last progress: ([a-z-]+) at (\d+\.\d)s/.exec(a.messages[0] ?? '');
      expect(last, a.messages[0]).not.toBeNull();
      expect(a.durationMs / 1000 - Number(last![2])).toBeGreaterThanOrEqual(STALL_MS / 1000 - 0.1);
      expect(a.durationMs).toBeLessThan(a.limits.maxMs);
      expect(scenarioRequests(id)).toHaveLength(1);
    },
  );
});
