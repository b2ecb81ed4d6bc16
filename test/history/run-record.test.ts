import { describe, expect, it } from 'vitest';
import { runRecordOf } from '../../src/history/run-record.js';
import { execResult } from '../helpers/exec-result.js';

describe('runRecordOf', () => {
  it('records a passed run as a full duration sample', () => {
    expect(runRecordOf(execResult({}), 'r1')).toEqual({
      runId: 'r1',
      durationMs: 4_000,
      longestSilenceMs: 1_500,
      outcome: 'success',
      at: 5_000,
    });
  });

  it('keeps max kills as censored, stall kills and failures as what they are', () => {
    expect(runRecordOf(execResult({ termination: 'max' }), 'r')?.outcome).toBe('killed-max');
    expect(runRecordOf(execResult({ termination: 'stall' }), 'r')?.outcome).toBe('killed-stall');
    expect(runRecordOf(execResult({ failures: ['exit code 1, expected 0'] }), 'r')?.outcome).toBe('failed');
  });

  it('records the limit in force for a cut-off, not the duration with its extensions', () => {
    const plan = { maxMs: 2_000, stallMs: 1_000 };
    const max = runRecordOf(execResult({ termination: 'max', durationMs: 3_500, extensions: 2 }), 'm', plan);
    expect(max).toMatchObject({ outcome: 'killed-max', durationMs: 3_500, limitMs: 2_000 });
    expect(runRecordOf(execResult({ termination: 'stall' }), 's', plan)).toMatchObject({ limitMs: 1_000 });
    expect(runRecordOf(execResult({}), 'ok', plan)).not.toHaveProperty('limitMs');
    expect(runRecordOf(execResult({ termination: 'max' }), 'no-plan')).not.toHaveProperty('limitMs');
  });

  it('marks a rate-limited failure as retry-later, not a duration sample', () => {
    const raw = execResult({ exitCode: 1, failures: ['result.is_error was true'], retryLater: true });
    expect(runRecordOf(raw, 'r')?.outcome).toBe('retry-later');
  });

  it('records nothing for cancelled or crashed attempts', () => {
    expect(runRecordOf(execResult({ termination: 'cancelled' }), 'r')).toBeUndefined();
    expect(runRecordOf(execResult({ termination: 'crashed' }), 'r')).toBeUndefined();
  });
});
