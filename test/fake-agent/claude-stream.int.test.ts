import { describe, expect, it } from 'vitest';
import { claudeStream, cpuBurnedWithin, eventKind, onFirstLine, runFakeAgent } from './support.js';

describe('fake agent, claude stream-json', () => {
  it('prints init, assistant/tool lines and a final result, each with the session id', async () => {
    const run = await runFakeAgent(
      claudeStream('--fake-seed', '7', '--fake-duration', '1s', '--fake-turns', '3'),
    );
    expect(run.exitCode).toBe(0);
    const kinds = run.events.map(eventKind);
    expect(kinds[0]).toBe('system/init');
    expect(kinds.at(-1)).toBe('result');
    expect(kinds.filter((k) => k === 'result')).toHaveLength(1);
    expect(kinds).toContain('assistant');
    expect(kinds).toContain('user');
    // Every line is one JSON object with the same session id.
    expect(run.events).toHaveLength(run.stdout.trim().split('\n').length);
    const sessionId = run.events[0]!.session_id;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    for (const event of run.events) expect(event.session_id).toBe(sessionId);

    const result = run.events.at(-1)!;
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 3 });
    expect(result.api_error_status).toBeNull();
    expect(result.result).toMatch(/DONE$/);
    expect(typeof result.duration_ms).toBe('number');
    expect(typeof result.total_cost_usd).toBe('number');
    expect(result.usage).toMatchObject({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
    });
  });

  it('prints one assistant line per content block, tool_use answered by a tool_result', async () => {
    const run = await runFakeAgent(
      claudeStream('--fake-seed', '3', '--fake-duration', '300ms', '--fake-turns', '4'),
    );
    const toolUses: string[] = [];
    const toolResults: string[] = [];
    for (const event of run.events) {
      const message = event.message as { content?: Array<Record<string, unknown>> } | undefined;
      if (event.type === 'assistant') expect(message?.content).toHaveLength(1);
      for (const block of message?.content ?? []) {
        if (block.type === 'tool_use') toolUses.push(String(block.id));
        if (block.type === 'tool_result') {
          expect(toolUses).toContain(String(block.tool_use_id));
          toolResults.push(String(block.tool_use_id));
        }
      }
    }
    expect(toolUses).toHaveLength(3);
    expect(toolResults).toEqual(toolUses);
  });

  it('takes about the requested duration, with init at about 0.4 s', async () => {
    const plan = await runFakeAgent(['--fake-plan', '--fake-duration', '1600ms', '--fake-jitter', '0']);
    const steps = (JSON.parse(plan.stdout) as { steps: Array<{ waitMs: number }> }).steps;
    expect(steps[0]!.waitMs).toBe(400);
    expect(steps.reduce((sum, step) => sum + step.waitMs, 0)).toBe(1600);

    // Measured between lines, so a slow node start on a loaded machine does not count.
    const run = await runFakeAgent(claudeStream('--fake-duration', '1600ms', '--fake-jitter', '0'));
    const stdout = run.lines.filter((line) => line.stream === 'stdout');
    const span = stdout.at(-1)!.atMs - stdout[0]!.atMs;
    expect(span).toBeGreaterThan(1000);
    expect(span).toBeLessThan(3500);
    expect(run.events.at(-1)!.duration_ms).toBeGreaterThanOrEqual(1600);
    expect(run.events.at(-1)!.duration_ms).toBeLessThan(4000);
  });

  it('stays silent while thinking', async () => {
    const run = await runFakeAgent(
      claudeStream(
        '--fake-duration',
        '300ms',
        '--fake-think',
        '1200ms',
        '--fake-turns',
        '1',
        '--fake-jitter',
        '0',
      ),
    );
    const times = run.lines.filter((line) => line.stream === 'stdout').map((line) => line.atMs);
    const longestGap = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    expect(longestGap).toBeGreaterThan(1100);
    expect(run.exitCode).toBe(0);
  });

  it('brackets a long tool with task_started and task_notification, silent in between', async () => {
    const run = await runFakeAgent(
      claudeStream(
        '--fake-duration',
        '500ms',
        '--fake-tool-duration',
        '1200ms',
        '--fake-turns',
        '2',
        '--fake-seed',
        '4',
      ),
    );
    const stdout = run.lines.filter((line) => line.stream === 'stdout');
    const kinds = stdout.map((line) => eventKind(JSON.parse(line.text) as Record<string, unknown>));
    const started = kinds.indexOf('system/task_started');
    const notified = kinds.indexOf('system/task_notification');
    expect(started).toBeGreaterThan(0);
    expect(notified).toBe(started + 1);
    expect(stdout[notified]!.atMs - stdout[started]!.atMs).toBeGreaterThan(800);
    // The tool_use comes before, its tool_result right after.
    expect(kinds[started - 1]).toBe('assistant');
    expect(kinds[notified + 1]).toBe('user');
  });

  it('prints about --fake-output-bytes of assistant text', async () => {
    const run = await runFakeAgent(claudeStream('--fake-duration', '200ms', '--fake-output-bytes', '100000'));
    let textBytes = 0;
    for (const event of run.events) {
      const message = event.message as { content?: Array<{ type: string; text?: string }> } | undefined;
      if (event.type !== 'assistant') continue;
      for (const block of message?.content ?? []) if (block.type === 'text') textBytes += block.text!.length;
    }
    expect(textBytes).toBeGreaterThanOrEqual(100_000);
    expect(textBytes).toBeLessThan(100_100);
  });

  it('keeps appending to its transcript while silent', async () => {
    const { mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fake-agent-transcript-'));
    const run = await runFakeAgent(
      claudeStream(
        '--fake-duration',
        '200ms',
        '--fake-think',
        '1s',
        '--fake-turns',
        '1',
        '--fake-transcript',
        dir,
      ),
    );
    const files = readdirSync(dir);
    expect(files).toEqual([`${run.events[0]!.session_id}.jsonl`]);
    const records = readFileSync(join(dir, files[0]!), 'utf8').trim().split('\n');
    expect(records.filter((r) => r.includes('"silence":"think"')).length).toBeGreaterThanOrEqual(3);
  });

  it('burns CPU while silent with --fake-busy, and idles without it', async () => {
    const think = ['--fake-duration', '100ms', '--fake-think', '20s', '--fake-turns', '1'];
    const burnedWhileThinking = async (...extra: string[]) => {
      let burned = 0;
      await runFakeAgent(claudeStream(...think, ...extra), {
        onLine: onFirstLine('"init"', async (_line, child) => {
          burned = await cpuBurnedWithin(child.pid, 50, extra.length > 0 ? 15_000 : 1500);
          child.kill('SIGKILL');
        }),
        killAfterMs: 25_000,
      });
      return burned;
    };
    const [busy, idle] = await Promise.all([burnedWhileThinking('--fake-busy'), burnedWhileThinking()]);
    expect(busy).toBeGreaterThanOrEqual(50);
    expect(idle).toBeLessThan(20);
  });
});

describe.concurrent('fake agent, claude flags', () => {
  it('lists every --fake-fail mode in --help', async () => {
    const run = await runFakeAgent(['--help']);
    expect(run.exitCode).toBe(0);
    for (const mode of [
      'hang-after:N',
      'crash',
      'exit:N',
      'rate-limit',
      'max-turns',
      'ignore-sigterm',
      'grandchild',
      'busy-hang',
      'output-loop',
    ]) {
      expect(run.stdout).toContain(mode);
    }
  });

  it('refuses stream-json without --verbose', async () => {
    const run = await runFakeAgent(['-p', 'hi', '--output-format', 'stream-json']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/stream-json requires --verbose/);
  });

  it('prints just the final text by default', async () => {
    const run = await runFakeAgent(['-p', 'hi', '--fake-duration', '200ms', '--fake-result', 'ALL GOOD']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trimEnd()).toMatch(/ALL GOOD$/);
    expect(run.stdout).not.toContain('{');
  });

  it('prints only the result object with --output-format json', async () => {
    const run = await runFakeAgent(['-p', 'hi', '--output-format', 'json', '--fake-duration', '200ms']);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ type: 'result', subtype: 'success', is_error: false });
  });

  it('ends with error_max_turns when the planned turns exceed --max-turns', async () => {
    const run = await runFakeAgent(
      claudeStream('--max-turns', '2', '--fake-turns', '5', '--fake-duration', '300ms'),
    );
    expect(run.exitCode).toBe(1);
    expect(run.events.at(-1)).toMatchObject({ subtype: 'error_max_turns', is_error: true });
  });

  it('accepts the real CLI flags a suite may pass', async () => {
    const run = await runFakeAgent(
      claudeStream(
        '--model',
        'claude-opus-4-1',
        '--dangerously-skip-permissions',
        '--allowedTools',
        'Bash',
        '--fake-duration',
        '100ms',
      ),
    );
    expect(run.exitCode).toBe(0);
    expect(run.events[0]).toMatchObject({ model: 'claude-opus-4-1' });
  });

  it.each([
    [['--fake-duration', 'soon'], /--fake-duration: expected a duration/],
    [['--fake-fail', 'explode'], /--fake-fail: unknown mode "explode"/],
    [['--fake-turns', '0'], /--fake-turns: expected a whole number/],
    [['--fake-nonsense'], /unknown option '--fake-nonsense'/],
    [['--output-format', 'xml'], /argument 'xml' is invalid/],
  ])('rejects bad flags %j with exit 1 and one line on stderr', async (args, message) => {
    const run = await runFakeAgent(['-p', 'hi', ...args]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads --fake-* flags from FAKE_AGENT_OPTS, command line winning', async () => {
    const run = await runFakeAgent(['-p', 'hi', '--output-format', 'json', '--fake-result', 'FROM ARGS'], {
      env: { FAKE_AGENT_OPTS: '--fake-duration 100ms --fake-result FROM_ENV --fake-turns 1' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.events[0]).toMatchObject({ num_turns: 1, result: expect.stringMatching(/FROM ARGS$/) });
  });

  it('allows only --fake-* flags in FAKE_AGENT_OPTS', async () => {
    const run = await runFakeAgent(['-p', 'hi'], {
      env: { FAKE_AGENT_OPTS: '--fake-duration 100ms --verbose' },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/FAKE_AGENT_OPTS: only --fake-\* flags are allowed, got '--verbose'/);
  });
});
