import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { claudeStream, cpuBurnedWithin, eventKind, killGroup, onFirstLine, runFakeAgent } from './support.js';

const quick = ['--fake-duration', '400ms', '--fake-seed', '11'];

describe.concurrent('fake agent failure modes', () => {
  it('hang: prints init, then nothing, and never exits on its own', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'hang'), {
      // Well past the 400 ms session it would otherwise have been.
      onLine: onFirstLine('"init"', (_line, child) => setTimeout(() => child.kill('SIGKILL'), 1500)),
      killAfterMs: 20_000,
    });
    expect(run.signal).toBe('SIGKILL');
    expect(run.events.map(eventKind)).toEqual(['system/init']);
  });

  it('hang-after:N: N lines, then silent forever', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'hang-after:3'), {
      onLine: onFirstLine('"init"', (_line, child) => setTimeout(() => child.kill('SIGKILL'), 1500)),
      killAfterMs: 20_000,
    });
    expect(run.signal).toBe('SIGKILL');
    expect(run.events).toHaveLength(3);
    expect(run.events.map(eventKind)).not.toContain('result');
  });

  it('hang-after:N also hangs in text mode, before the final answer', async () => {
    const run = await runFakeAgent(['-p', 'x', ...quick, '--fake-fail', 'hang-after:2'], {
      killAfterMs: 4000,
    });
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).toBe('');
  });

  it('crash: dies by SIGSEGV mid-stream, without a result line', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'crash'));
    expect(run.signal).toBe('SIGSEGV');
    expect(run.events.length).toBeGreaterThan(0);
    expect(run.events.map(eventKind)).not.toContain('result');
    // The stream is cut in the middle of a line.
    expect(run.stdout.endsWith('\n')).toBe(false);
  });

  it('crash:exit: exits abruptly with 139', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'crash:exit'));
    expect(run.exitCode).toBe(139);
    expect(run.events.map(eventKind)).not.toContain('result');
  });

  it('exit:N: a result line with is_error true, then exit N', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'exit:7'));
    expect(run.exitCode).toBe(7);
    expect(run.events.at(-1)).toMatchObject({ type: 'result', is_error: true });
  });

  it('rate-limit: api_retry lines with 429, then subtype success with is_error true and exit 1', async () => {
    const run = await runFakeAgent(
      claudeStream(...quick, '--fake-fail', 'rate-limit', '--fake-retries', '4'),
    );
    expect(run.exitCode).toBe(1);
    const retries = run.events.filter((e) => eventKind(e) === 'system/api_retry');
    expect(retries.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    for (const retry of retries) {
      expect(retry).toMatchObject({ error_status: 429, max_retries: 4, retry_delay_ms: expect.any(Number) });
    }
    expect(run.events.at(-1)).toMatchObject({
      type: 'result',
      subtype: 'success',
      is_error: true,
      api_error_status: 429,
    });
  });

  it('overloaded: the same with 529', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'overloaded'));
    expect(run.exitCode).toBe(1);
    expect(run.events.at(-1)).toMatchObject({ is_error: true, api_error_status: 529 });
  });

  it('max-turns: subtype error_max_turns and exit 1', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'max-turns'));
    expect(run.exitCode).toBe(1);
    expect(run.events.at(-1)).toMatchObject({ type: 'result', subtype: 'error_max_turns', is_error: true });
  });

  it('busy-hang: 100% CPU and no output after init', async () => {
    let burned = 0;
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'busy-hang'), {
      onLine: onFirstLine('"init"', async (_line, child) => {
        // Half a second of CPU; an idle process would not get there in 15 s.
        burned = await cpuBurnedWithin(child.pid, 50, 15_000);
        setTimeout(() => child.kill('SIGKILL'), 200);
      }),
      killAfterMs: 25_000,
    });
    expect(run.signal).toBe('SIGKILL');
    expect(burned).toBeGreaterThanOrEqual(50);
    expect(run.events.map(eventKind)).toEqual(['system/init']);
  });

  it('busy-hang still dies on SIGTERM, with 143', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'busy-hang'), {
      onLine: onFirstLine('"init"', (_line, child) => setTimeout(() => child.kill('SIGTERM'), 300)),
      killAfterMs: 20_000,
    });
    expect(run.exitCode).toBe(143);
  });

  it('output-loop: prints forever', async () => {
    let count = 0;
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'output-loop'), {
      onLine(_line, child) {
        if (++count === 5000) child.kill('SIGKILL');
      },
    });
    expect(run.signal).toBe('SIGKILL');
    expect(run.lines.length).toBeGreaterThanOrEqual(5000);
    expect(run.events.map(eventKind)).not.toContain('result');
  });

  it('grandchild: leaves a SIGTERM-ignoring process in the same process group', async () => {
    const run = await runFakeAgent(claudeStream(...quick, '--fake-fail', 'grandchild'));
    try {
      expect(run.exitCode).toBe(0);
      const pid = Number(/grandchild (\d+)/.exec(run.stderr)?.[1]);
      expect(pid).toBeGreaterThan(0);
      const groupOf = (p: number) =>
        execFileSync('ps', ['-o', 'pgid=', '-p', String(p)], { encoding: 'utf8' }).trim();
      expect(groupOf(pid)).toBe(String(run.pid));
      process.kill(pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Still there after SIGTERM: only SIGKILL to the group ends it.
      expect(groupOf(pid)).toBe(String(run.pid));
    } finally {
      killGroup(run.pid);
    }
  });
});
