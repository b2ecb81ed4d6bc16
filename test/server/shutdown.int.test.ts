import { describe, expect, it } from 'vitest';
import { startConfigServer } from '../helpers/config-server.js';
import { processesInGroup, RawClient } from './raw-client.js';

describe('graceful shutdown', () => {
  it('stops accepting, cancels running processes, sends their completion, closes with 1001', async () => {
    const server = await startConfigServer({ graceMs: 300 });
    const busy = await RawClient.session(server.url);
    const idle = await RawClient.session(server.url);
    // Ignores SIGTERM: the group is still gone after the grace period.
    const id = busy.request('execute', { command: `sh -c 'trap "" TERM; echo ready; sleep 30 & wait'` });
    const { pgid } = (await busy.response(id)).result as { pgid: number };
    // Started is not yet trapping: shut down once the shell says it ignores SIGTERM.
    await busy.waitFor(
      (frame) => frame.method === 'process.output' && String(frame.params?.data).includes('ready'),
      10_000,
    );

    const closing = server.close();
    await expect(RawClient.connect(server.url)).rejects.toThrow();
    await closing;

    const completed = busy.frames.filter((frame) => frame.method === 'process.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.params).toMatchObject({ status: 'failed', reason: 'canceled', exit_code: -9 });
    expect(completed[0]!.params?.error).toMatch(/shutting down/);
    expect((await busy.closed).code).toBe(1001);
    expect((await idle.closed).code).toBe(1001);
    expect(processesInGroup(pgid)).toEqual([]);
    expect(server.health().status).toBe('shutting_down');
  });
});
