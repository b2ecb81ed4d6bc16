import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import { serve, untilStopped } from '../../src/server/serve.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import { RawClient } from './raw-client.js';

const logDir = mkdtempSync(join(tmpdir(), 'serve-logs-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

describe('cc-stress serve', () => {
  it('plans with the learned planner, records runs in history, keeps logs, and stops on SIGTERM', async () => {
    const config = configSchema.parse({});
    const history = new MemoryHistoryStore({ maxRunsPerClass: 64 });
    const lines: string[] = [];
    const server = await serve(
      { port: 0, logDir, allow: ['echo,true'], maxSessions: 4 },
      {
        config,
        planner: new LearnedTimeoutPlanner({ store: history, config }),
        history,
        log: (line) => lines.push(line),
      },
    );
    expect(lines.join('\n')).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+\/ws\/mcp/);
    expect(lines.join('\n')).toMatch(/programs allowed: echo, true/);
    expect(lines.join('\n')).toMatch(/learned from history/);

    const client = await RawClient.connect(server.url);
    client.request('execute', { command: 'echo learned', task: 'greeting' });
    const completed = await client.waitFor((frame) => frame.method === 'process.completed');
    expect(completed.params?.reason).toBe('exit');
    // No timeout from the client: the learned planner decided (on its priors, history being empty).
    expect(completed.params?.timeouts).toMatchObject({ max: { origin: 'prior' } });

    let classes = await history.classes();
    const deadline = Date.now() + 2000;
    while (classes.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      classes = await history.classes();
    }
    expect(classes.length).toBeGreaterThan(0);
    const recent = await history.recent(classes[0]!.classKey);
    expect(recent[0]).toMatchObject({ outcome: 'success' });
    const logs = readdirSync(logDir);
    expect(logs).toHaveLength(1);
    expect(readFileSync(join(logDir, logs[0]!), 'utf8')).toBe('learned\n');

    const listenersBefore = process.listenerCount('SIGTERM');
    const stopped = untilStopped(
      server,
      (line) => lines.push(line),
      () => {
        throw new Error('a single SIGTERM must not force the exit');
      },
    );
    process.emit('SIGTERM', 'SIGTERM');
    await stopped;
    expect((await client.closed).code).toBe(1001);
    expect(lines.at(-1)).toBe('stopped');
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });
});
