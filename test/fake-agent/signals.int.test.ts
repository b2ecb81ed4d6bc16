import { describe, expect, it } from 'vitest';
import { claudeStream, eventKind, runFakeAgent } from './support.js';

const slow = ['--fake-duration', '5s', '--fake-jitter', '0', '--fake-seed', '2'];

describe.concurrent('fake agent signals', () => {
  it('SIGTERM: exit 143, no result line', async () => {
    const run = await runFakeAgent(claudeStream(...slow), {
      onLine: (line, child) => {
        if (line.text.includes('"subtype":"init"')) child.kill('SIGTERM');
      },
      killAfterMs: 8000,
    });
    expect(run.exitCode).toBe(143);
    expect(run.signal).toBeNull();
    // Right away, not at the end of its 5 s session.
    expect(run.durationMs - run.lines[0]!.atMs).toBeLessThan(3000);
    expect(run.events.map(eventKind)).not.toContain('result');
  });

  it('SIGINT: exit 0, no result line', async () => {
    const run = await runFakeAgent(claudeStream(...slow), {
      onLine: (line, child) => {
        if (line.text.includes('"subtype":"init"')) child.kill('SIGINT');
      },
      killAfterMs: 8000,
    });
    expect(run.exitCode).toBe(0);
    expect(run.events.map(eventKind)).not.toContain('result');
  });

  it('ignore-sigterm: keeps going after SIGTERM and finishes normally', async () => {
    let sentAt = 0;
    const run = await runFakeAgent(
      claudeStream('--fake-duration', '1500ms', '--fake-jitter', '0', '--fake-fail', 'ignore-sigterm'),
      {
        onLine: (line, child) => {
          if (line.text.includes('"subtype":"init"')) {
            sentAt = line.atMs;
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGTERM'), 200);
          }
        },
        killAfterMs: 8000,
      },
    );
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('ignoring SIGTERM');
    expect(run.events.at(-1)).toMatchObject({ type: 'result', is_error: false });
    expect(run.durationMs - sentAt).toBeGreaterThan(700);
  });

  it('ignore-sigterm with hang: only SIGKILL ends it', async () => {
    const run = await runFakeAgent(
      claudeStream('--fake-fail', 'hang,ignore-sigterm', '--fake-duration', '200ms'),
      {
        onLine: (line, child) => {
          if (!line.text.includes('"subtype":"init"')) return;
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 800);
        },
        killAfterMs: 8000,
      },
    );
    expect(run.signal).toBe('SIGKILL');
    expect(run.stderr).toContain('ignoring SIGTERM');
  });
});
