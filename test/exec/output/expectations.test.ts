import { describe, expect, it } from 'vitest';
import { createExpectationTracker } from '../../../src/exec/output/expectations.js';
import type { AgentEvent } from '../../../src/exec/types.js';
import { defaultExpectations } from '../../../src/suite/expect.js';
import type { AgentKind, Expectations } from '../../../src/suite/types.js';

type Finished = Extract<AgentEvent, { type: 'finished' }>;

const expectations = defaultExpectations;

function judge(
  expect: Expectations,
  lines: Array<['stdout' | 'stderr', string]>,
  end: { exitCode?: number | null; finished?: Finished; agent?: AgentKind } = {},
): string[] {
  const tracker = createExpectationTracker(expect, end.agent ?? 'none');
  let totalBytes = 0;
  for (const [stream, line] of lines) {
    tracker.onLine(stream, line);
    totalBytes += Buffer.byteLength(line) + 1;
  }
  return tracker.verdict({
    exitCode: end.exitCode === undefined ? 0 : end.exitCode,
    totalBytes,
    finished: end.finished,
  });
}

const claudeOk: Finished = {
  type: 'finished',
  ok: true,
  retryLater: false,
  raw: { type: 'result', subtype: 'success', is_error: false, num_turns: 3, result: 'DONE' },
};
const claudeApiError: Finished = {
  type: 'finished',
  ok: false,
  retryLater: true,
  raw: { type: 'result', subtype: 'success', is_error: true, api_error_status: 529, result: 'Overloaded' },
};

const streams = (rules: Partial<Expectations['stdout']>) => ({
  contains: [],
  notContains: [],
  matches: [],
  ...rules,
});

describe('streamed output expectations', () => {
  it.each([
    {
      name: 'contains holds on any line',
      expect: expectations({ stdout: streams({ contains: ['DONE'] }) }),
      lines: [
        ['stdout', 'working'],
        ['stdout', 'all DONE now'],
      ] as Array<['stdout' | 'stderr', string]>,
      failures: [],
    },
    {
      name: 'contains never seen',
      expect: expectations({ stdout: streams({ contains: ['DONE'] }) }),
      lines: [['stdout', 'working']] as Array<['stdout' | 'stderr', string]>,
      failures: ['stdout never contained "DONE"'],
    },
    {
      name: 'contains on the other stream does not count',
      expect: expectations({ stdout: streams({ contains: ['DONE'] }) }),
      lines: [['stderr', 'DONE']] as Array<['stdout' | 'stderr', string]>,
      failures: ['stdout never contained "DONE"'],
    },
    {
      name: 'regex matches one line',
      expect: expectations({ stderr: streams({ matches: ['^took \\d+ms$'] }) }),
      lines: [['stderr', 'took 15ms']] as Array<['stdout' | 'stderr', string]>,
      failures: [],
    },
    {
      name: 'regex never matches',
      expect: expectations({ stdout: streams({ matches: ['^ok \\d+$'] }) }),
      lines: [
        ['stdout', 'ok x'],
        ['stdout', 'not ok 1'],
      ] as Array<['stdout' | 'stderr', string]>,
      failures: ['stdout never matched /^ok \\d+$/'],
    },
    {
      name: 'not_contains fails on any line, naming the first',
      expect: expectations({ stderr: streams({ notContains: ['Traceback'] }) }),
      lines: [
        ['stderr', 'fine'],
        ['stderr', 'Traceback (most recent call last)'],
        ['stderr', 'Traceback'],
      ] as Array<['stdout' | 'stderr', string]>,
      failures: ['stderr contained "Traceback" (first on line 2)'],
    },
    {
      name: 'invalid regex is reported, not thrown',
      expect: expectations({ stdout: streams({ matches: ['(unclosed'] }) }),
      lines: [] as Array<['stdout' | 'stderr', string]>,
      failures: [expect.stringMatching(/^stdout pattern \/\(unclosed\/ is not a valid regular expression/)],
    },
    {
      name: 'min output bytes counts both streams',
      expect: expectations({ minOutputBytes: 10 }),
      lines: [
        ['stdout', 'abcd'],
        ['stderr', 'efgh'],
      ] as Array<['stdout' | 'stderr', string]>,
      failures: [],
    },
    {
      name: 'min output bytes too small',
      expect: expectations({ minOutputBytes: 100 }),
      lines: [['stdout', 'abcd']] as Array<['stdout' | 'stderr', string]>,
      failures: ['output was 5 bytes, expected at least 100'],
    },
  ])('$name', ({ expect: rules, lines, failures }) => {
    expect(judge(rules, lines)).toEqual(failures);
  });
});

describe('exit code expectations', () => {
  it.each([
    { exitCode: 0, accepted: [0], failures: [] },
    { exitCode: 1, accepted: [0], failures: ['exit code 1, expected 0'] },
    { exitCode: 2, accepted: [0, 2], failures: [] },
    { exitCode: 3, accepted: [0, 2], failures: ['exit code 3, expected one of 0, 2'] },
    { exitCode: null, accepted: [0], failures: ['no exit code (the process was killed), expected 0'] },
  ])('exit $exitCode against $accepted', ({ exitCode, accepted, failures }) => {
    expect(judge(expectations({ exitCode: accepted }), [], { exitCode })).toEqual(failures);
  });
});

describe('agent result expectations', () => {
  it('uses the adapter success rule when result is null', () => {
    expect(judge(expectations(), [], { agent: 'claude', finished: claudeOk })).toEqual([]);
    expect(
      judge(expectations({ exitCode: [0, 1] }), [], { agent: 'claude', finished: claudeApiError }),
    ).toEqual([
      'overloaded (API status 529), retry later: result.is_error was true, expected false (subtype "success", api_error_status 529)',
    ]);
  });

  it('names a rate limit as one, ahead of the exit code it caused', () => {
    const rateLimited = { ...claudeApiError, raw: { ...claudeApiError.raw, api_error_status: 429 } };
    expect(judge(expectations(), [], { agent: 'claude', finished: rateLimited, exitCode: 1 })).toEqual([
      'rate limited (API status 429), retry later: result.is_error was true, expected false (subtype "success", api_error_status 429)',
      'exit code 1, expected 0',
    ]);
  });

  it('fails an agent that ended without a result line, even with exit 0 and output', () => {
    expect(judge(expectations(), [['stdout', '{"type":"system"}']], { agent: 'claude' })).toEqual([
      'no final result event (the agent ended without a result line)',
    ]);
  });

  it('compares every listed field of the final event', () => {
    const rules = expectations({ exitCode: [0, 1], result: { is_error: false, num_turns: 3 } });
    expect(judge(rules, [], { agent: 'claude', finished: claudeOk })).toEqual([]);
    expect(judge(rules, [], { agent: 'claude', finished: claudeApiError })).toEqual([
      'result.is_error was true, expected false',
      'result.num_turns was missing, expected 3',
    ]);
  });

  it('deep-compares nested fields', () => {
    const finished: Finished = { ...claudeOk, raw: { ...claudeOk.raw, usage: { output_tokens: 5 } } };
    expect(
      judge(expectations({ result: { usage: { output_tokens: 5 } } }), [], { agent: 'claude', finished }),
    ).toEqual([]);
    expect(
      judge(expectations({ result: { usage: { output_tokens: 6 } } }), [], { agent: 'claude', finished }),
    ).toEqual(['result.usage was {"output_tokens":5}, expected {"output_tokens":6}']);
  });

  it('an empty result object turns the result check off', () => {
    expect(judge(expectations({ result: {} }), [], { agent: 'claude' })).toEqual([]);
  });

  it('names the failure in each agent own words', () => {
    const codex: Finished = {
      type: 'finished',
      ok: false,
      retryLater: true,
      raw: { type: 'turn.failed', error: { message: 'exceeded retry limit, last status: 429' } },
    };
    expect(judge(expectations(), [], { agent: 'codex', finished: codex })).toEqual([
      `retry later: the agent's turn failed ("turn.failed"), expected turn.completed: "exceeded retry limit, last status: 429"`,
    ]);
    const gemini: Finished = {
      type: 'finished',
      ok: false,
      retryLater: false,
      raw: { type: 'result', status: 'error', error: { type: 'Error', message: 'boom' } },
    };
    expect(judge(expectations(), [], { agent: 'gemini', finished: gemini })).toEqual([
      'result.status was "error", expected "success" ("boom")',
    ]);
  });

  it('names the API status codex and gemini adapters found, and a storm as one', () => {
    const failed = (status: number, retryLater: boolean): Finished => ({
      type: 'finished',
      ok: false,
      retryLater,
      status,
      raw: { type: 'result', status: 'error', error: { message: '[API Error: try later]' } },
    });
    expect(judge(expectations(), [], { agent: 'gemini', finished: failed(503, true) })).toEqual([
      'overloaded (API status 503), retry later: result.status was "error", expected "success" ("[API Error: try later]")',
    ]);
    expect(judge(expectations(), [], { agent: 'codex', finished: failed(429, true) })[0]).toMatch(
      /^rate limited \(API status 429\), retry later: the agent's turn failed/,
    );
    expect(judge(expectations(), [], { agent: 'codex', finished: failed(400, false) })[0]).toMatch(
      /^API status 400: the agent's turn failed/,
    );
  });

  it('ignores the result for plain commands', () => {
    expect(judge(expectations({ result: { is_error: false } }), [], { agent: 'none' })).toEqual([]);
  });

  it('keeps each message on one short line', () => {
    const long = 'x'.repeat(5000);
    const [failure] = judge(expectations({ stdout: streams({ contains: [`${long}\nmore`] }) }), []);
    expect(failure).toBeDefined();
    expect(failure).not.toContain('\n');
    expect(failure!.length).toBeLessThan(120);
  });
});

describe('memory', () => {
  it('stays bounded over a million lines', () => {
    const tracker = createExpectationTracker(
      expectations({ stdout: streams({ contains: ['needle'], notContains: ['bad'], matches: ['^end$'] }) }),
      'none',
    );
    const line = 'y'.repeat(200);
    // Warm up so the comparison is not dominated by JIT and first-use allocations.
    for (let i = 0; i < 10_000; i++) tracker.onLine('stdout', `${line}${i}`);
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) tracker.onLine('stdout', `${line}${i}`);
    tracker.onLine('stdout', 'end');
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    // 1M lines of ~200 bytes is ~400 MB as strings; a tracker that kept them could not stay under this.
    expect(grown).toBeLessThan(50 * 1024 * 1024);
    expect(tracker.verdict({ exitCode: 0, totalBytes: 0, finished: undefined })).toEqual([
      'stdout never contained "needle"',
    ]);
  });
});
