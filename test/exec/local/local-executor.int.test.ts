import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentEvent, RunningTask } from '../../../src/exec/types.js';
import {
  executor,
  liveMarked,
  newMark,
  noExpectations,
  request,
  scratchDir,
  shell,
} from '../support/local-tasks.js';

const dir = scratchDir();
const local = executor();
afterAll(() => local.close());

describe('LocalExecutor: how a task ends', () => {
  it('reports the exit code of a task that exits on its own', async () => {
    const result = await local.run(shell(dir, 'echo out; echo err >&2; exit 3'));
    expect(result).toMatchObject({
      termination: 'exit',
      exitCode: 3,
      signal: null,
      stdoutBytes: 4,
      stderrBytes: 4,
    });
    expect(result.detail).toBeUndefined();
    expect(result.endedAt).toBeGreaterThanOrEqual(result.startedAt);
  });

  it('reports the signal of a task killed by one', async () => {
    const result = await local.run(shell(dir, 'kill -TERM $$'));
    expect(result).toMatchObject({ termination: 'exit', exitCode: null, signal: 'SIGTERM' });
  });

  it('passes argv to the program without a shell unless asked', async () => {
    const result = await local.run(request(dir, ['echo', 'a;b', '$HOME', '`id`']));
    expect(result.outputHead).toBe('a;b $HOME `id`\n');
  });

  it('runs in the given folder with the given environment on top of the runner’s', async () => {
    const sub = join(dir, 'work folder');
    mkdirSync(sub, { recursive: true });
    const result = await local.run(
      shell(dir, 'echo "$GREETING from $(pwd)"; test -n "$PATH"', { cwd: sub, env: { GREETING: 'hello' } }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputHead).toBe(`hello from ${sub}\n`);
  });

  it('gives the task no stdin', async () => {
    const result = await local.run(shell(dir, 'cat; echo "cat exited $?"'));
    expect(result.outputHead).toBe('cat exited 0\n');
  });

  it('judges the output against the expectations', async () => {
    const expect_ = {
      ...noExpectations,
      exitCode: [0],
      stdout: { contains: ['hello'], notContains: [], matches: [] },
    };
    const result = await local.run(shell(dir, 'echo goodbye', { expect: expect_ }));
    expect(result.failures).toEqual(['stdout never contained "hello"']);
  });

  it('keeps running a task that closed its output, until it exits', async () => {
    const started = Date.now();
    const result = await local.run(shell(dir, 'echo bye; exec >&- 2>&-; sleep 0.6; exit 4'));
    expect(result).toMatchObject({ termination: 'exit', exitCode: 4 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(result.outputHead).toBe('bye\n');
  });

  it('tells hooks where the task runs and how it is doing', async () => {
    let running: RunningTask | undefined;
    const statuses: number[] = [];
    const lines: string[] = [];
    const result = await local.run(shell(dir, 'echo one; sleep 1.3; echo two'), {
      onStart: (task) => {
        running = task;
      },
      onStatus: (status) => statuses.push(status.elapsedMs),
      onOutput: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(result.exitCode).toBe(0);
    expect(running?.pid).toBeGreaterThan(1);
    expect(running?.pgid).toBe(running?.pid);
    expect(statuses.length).toBeGreaterThanOrEqual(1);
    expect(lines).toEqual(['stdout:one', 'stdout:two']);
  });

  it('tells hooks of output only after the start, even of output written at once', async () => {
    for (let i = 0; i < 5; i++) {
      const events: string[] = [];
      await local.run(shell(dir, 'echo now; echo also >&2'), {
        onStart: () => events.push('start'),
        onOutput: (stream, line) => events.push(`${stream}:${line}`),
      });
      expect(events).toEqual(['start', 'stdout:now', 'stderr:also']);
    }
  });

  it('survives a hook that throws and says so', async () => {
    const result = await local.run(shell(dir, 'echo a; echo b'), {
      onOutput: () => {
        throw new Error('reporter bug');
      },
    });
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0, stdoutBytes: 4 });
    expect(result.detail).toContain('reporter bug');
  });
});

describe('LocalExecutor: agent CLIs', () => {
  /** A task printing the given JSON lines, like `claude -p --output-format stream-json --verbose`. */
  const claude = (...lines: object[]) => {
    const file = join(dir, `claude-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    return request(dir, ['cat', file], { agent: 'claude', expect: { ...noExpectations, exitCode: [0] } });
  };

  it('turns the output into agent events and judges success by the final result event', async () => {
    const events: AgentEvent['type'][] = [];
    const result = await local.run(
      claude(
        { type: 'system', subtype: 'init', session_id: 's' },
        {
          type: 'assistant',
          message: { id: 'm1', content: [{ type: 'text', text: 'hi' }] },
          session_id: 's',
        },
        { type: 'result', subtype: 'success', is_error: false, num_turns: 1, session_id: 's' },
      ),
      { onAgentEvent: (event) => events.push(event.type) },
    );
    expect(events).toEqual(['started', 'turn', 'content', 'finished']);
    expect(result.failures).toEqual([]);
    expect(result.finalEvent).toMatchObject({ type: 'result', is_error: false, num_turns: 1 });
    expect(result.retryLater).toBe(false);
  });

  it('fails an agent that exits 0 without a result, and flags an overloaded API as "retry later"', async () => {
    const silent = await local.run(claude({ type: 'system', subtype: 'init', session_id: 's' }));
    expect(silent.exitCode).toBe(0);
    expect(silent.failures).toEqual(['no final result event (the agent ended without a result line)']);
    const overloaded = await local.run(
      claude({ type: 'result', subtype: 'success', is_error: true, api_error_status: 529, session_id: 's' }),
    );
    expect(overloaded.retryLater).toBe(true);
    expect(overloaded.failures.length).toBe(1);
  });
});

describe('LocalExecutor: tasks that cannot start', () => {
  it('reports a missing program as crashed, without throwing', async () => {
    const result = await local.run(request(dir, ['no-such-program-cc-stress']));
    expect(result.termination).toBe('crashed');
    expect(result.detail).toBe(
      'cannot start "no-such-program-cc-stress": command not found (ENOENT); check the command name and PATH',
    );
  });

  it('reports a file that is not executable', async () => {
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const result = await local.run(request(dir, [script]));
    expect(result.termination).toBe('crashed');
    expect(result.detail).toContain('permission denied (EACCES)');
  });

  it('reports a working folder that does not exist or is a file', async () => {
    const missing = await local.run(shell(dir, 'true', { cwd: join(dir, 'missing') }));
    expect(missing.termination).toBe('crashed');
    expect(missing.detail).toBe(
      `cannot start "true": working directory ${join(dir, 'missing')} does not exist`,
    );
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const notDir = await local.run(request(dir, ['true'], { cwd: file }));
    expect(notDir.detail).toBe(`cannot start "true": working directory ${file} is not a directory`);
  });

  it('reports an unwritable log file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const result = await local.run(shell(dir, 'echo hi', { logPath: join(file, 'task.log') }));
    expect(result.termination).toBe('crashed');
    expect(result.detail).toMatch(/^cannot write the log file .*a-file\/task\.log: E[A-Z]+/);
  });
});

describe('LocalExecutor: cancellation', () => {
  it('stops the whole task when the signal aborts', async () => {
    const mark = newMark();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await local.run(
      shell(dir, 'sleep 30 & sleep 30; echo never', { mark, signal: controller.signal }),
    );
    expect(result.termination).toBe('cancelled');
    expect(result.detail).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(liveMarked(mark)).toEqual([]);
  });

  it('says why when the abort carries a reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('--bail reached'), 100);
    const result = await local.run(request(dir, ['sleep', '30'], { signal: controller.signal }));
    expect(result.termination).toBe('cancelled');
    expect(result.detail).toBe('cancelled: --bail reached');
  });

  it('does not start a task whose signal already aborted', async () => {
    const mark = newMark();
    const result = await local.run(
      shell(dir, 'echo started', { mark, signal: AbortSignal.abort(), logPath: join(dir, 'pre.log') }),
    );
    expect(result).toMatchObject({ termination: 'cancelled', stdoutBytes: 0 });
    expect(result.detail).toBe('cancelled before the task started');
  });
});

describe('LocalExecutor: output', () => {
  it('writes the full output to the log and keeps a bounded head and tail', async () => {
    const logPath = join(dir, 'nested/deeper/full.log');
    const result = await local.run(
      shell(dir, 'i=1; while [ $i -le 3000 ]; do echo "line $i"; i=$((i+1)); done', { logPath }),
    );
    let expected = '';
    for (let i = 1; i <= 3000; i++) expected += `line ${i}\n`;
    expect(readFileSync(logPath, 'utf8')).toBe(expected);
    expect(result.logPath).toBe(logPath);
    expect(result.stdoutBytes).toBe(expected.length);
    expect(result.outputHead).toBe(expected.slice(0, 1024));
    expect(result.outputTail).toBe(expected.slice(-1024));
  });

  it('interleaves stdout and stderr in the log line by line', async () => {
    const result = await local.run(shell(dir, 'echo out1; echo err1 >&2; echo out2; echo err2 >&2'));
    const log = readFileSync(result.logPath, 'utf8');
    expect(log.split('\n').sort()).toEqual(['', 'err1', 'err2', 'out1', 'out2']);
    expect(result).toMatchObject({ stdoutBytes: 10, stderrBytes: 10 });
  });

  it.each([
    ['stdout first', 'echo out; echo err >&2', 'out\nerr\n'],
    ['stderr first', 'echo err >&2; echo out', 'err\nout\n'],
  ])(
    'keeps the order in which the task wrote its two streams (%s), in the head and in the log',
    async (_, script, expected) => {
      for (let i = 0; i < 5; i++) {
        const result = await local.run(shell(dir, script));
        expect(result.outputHead).toBe(expected);
        expect(readFileSync(result.logPath, 'utf8')).toBe(expected);
      }
    },
  );

  it('copes with invalid UTF-8: lines get U+FFFD, the log keeps the exact bytes', async () => {
    const lines: string[] = [];
    const result = await local.run(shell(dir, "printf 'ok \\377\\376 end\\n\\303'"), {
      onOutput: (_stream, line) => lines.push(line),
    });
    expect(result.exitCode).toBe(0);
    expect(lines).toEqual(['ok \uFFFD\uFFFD end', '\uFFFD']);
    expect(readFileSync(result.logPath)).toEqual(
      Buffer.from([...Buffer.from('ok '), 0xff, 0xfe, ...Buffer.from(' end\n'), 0xc3]),
    );
    expect(result.outputHead).toBe('ok \uFFFD\uFFFD end\n');
  });

  it('passes a 10 MB line without newline on in bounded pieces and logs it whole', async () => {
    const size = 10 * 1024 * 1024;
    let pieces = 0;
    let longest = 0;
    let total = 0;
    let terminated = 0;
    const result = await local.run(
      request(dir, [process.execPath, '-e', `process.stdout.write('x'.repeat(${size}))`]),
      {
        onOutput: (_stream, line, isTerminated) => {
          pieces++;
          longest = Math.max(longest, line.length);
          total += line.length;
          if (isTerminated) terminated++;
        },
      },
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0, stdoutBytes: size });
    expect(total).toBe(size);
    expect(longest).toBeLessThanOrEqual(64 * 1024);
    expect(pieces).toBeGreaterThanOrEqual(size / (64 * 1024));
    expect(terminated).toBe(0);
    expect(statSync(result.logPath).size).toBe(size);
    expect(result.outputHead).toBe('x'.repeat(1024));
  });

  it('runs 100 short tasks at once, each with its own output', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        local.run(request(dir, ['sh', '-c', 'echo "task $1"; sleep 0.2; echo done', 'sh', String(i)])),
      ),
    );
    results.forEach((result, i) => {
      expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
      expect(result.outputHead).toBe(`task ${i}\ndone\n`);
    });
  });
});
