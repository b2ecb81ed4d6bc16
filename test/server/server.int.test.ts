import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import type { ServedRun } from '../../src/server/session.js';
import { ConfigTimeoutPlanner } from '../../src/timeouts/config-planner.js';
import type { PlanInput, TimeoutPlan, TimeoutPlanner } from '../../src/timeouts/types.js';
import { eventually } from '../helpers/eventually.js';
import { type Frame, groupStates, processesInGroup, RawClient } from './raw-client.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const node = process.execPath;

class RecordingPlanner implements TimeoutPlanner {
  readonly asked: PlanInput[] = [];
  private readonly inner = new ConfigTimeoutPlanner(configSchema.parse({}));
  plan(task: PlanInput): Promise<TimeoutPlan> {
    this.asked.push(task);
    return this.inner.plan(task);
  }
}

const planner = new RecordingPlanner();
const served: ServedRun[] = [];
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    planner,
    graceMs: 300,
    pingIntervalSeconds: 0.2,
    onRecord: (run) => served.push(run),
  });
});
afterAll(async () => {
  await server.close();
});

async function session(path = '/ws/mcp'): Promise<RawClient> {
  return RawClient.session(server.url.replace('/ws/mcp', path));
}

function completedOf(client: RawClient): Promise<Frame> {
  return client.waitFor((frame) => frame.method === 'process.completed');
}

describe('the executor server', () => {
  it.each(['/ws/mcp', '/ws'])('greets on %s with connected as the first frame', async (path) => {
    const client = await session(path);
    const first = client.frames[0]!;
    expect(first.method).toBe('connected');
    expect(first.jsonrpc).toBe('2.0');
    expect(first).not.toHaveProperty('id');
    expect(first.params?.session_id).toMatch(UUID);
    expect(typeof first.params?.version).toBe('string');
    expect(first.params?.capabilities).toEqual(['execute', 'control', 'stream']);
    client.close();
  });

  it('runs a command: result, then process.started, output lines with their newline, one completed', async () => {
    const client = await session();
    const id = client.request('execute', {
      command: `${node} -e "console.log('one'); console.error('two'); process.stdout.write('three')"`,
      timeout: 20,
      task: 'hello-task',
    });
    const completed = await completedOf(client);
    const result = await client.response(id);
    expect(result.result).toMatchObject({ status: 'started' });
    const { pid, pgid } = result.result as { pid: number; pgid: number };
    expect(pid).toBeGreaterThan(0);
    expect(pgid).toBe(pid);
    const order = client.frames.map((frame) => frame.method ?? `result ${frame.id}`);
    expect(order.indexOf(`result ${id}`)).toBeLessThan(order.indexOf('process.started'));
    expect(client.method('process.started')[0]!.params).toEqual({
      status: 'started',
      pid,
      pgid,
      exit_code: null,
      error: null,
    });
    const outputs = client.method('process.output').map((frame) => frame.params);
    expect(outputs).toContainEqual({
      type: 'stdout',
      data: 'one\n',
      truncated: false,
      chunk_index: null,
      total_chunks: null,
    });
    expect(outputs).toContainEqual({
      type: 'stderr',
      data: 'two\n',
      truncated: false,
      chunk_index: null,
      total_chunks: null,
    });
    // The last line had no newline, and none is invented.
    expect(outputs).toContainEqual({
      type: 'stdout',
      data: 'three',
      truncated: false,
      chunk_index: null,
      total_chunks: null,
    });
    expect(completed.params).toMatchObject({
      status: 'completed',
      pid,
      pgid,
      exit_code: 0,
      error: null,
      reason: 'exit',
      timeouts: {
        max: { seconds: 20, origin: 'client' },
        // The default stall limit (600 s) never exceeds the max.
        stall: { seconds: 20, origin: 'config-default' },
      },
    });
    expect(completed.params?.execution_time).toBeGreaterThan(0);
    expect(completed.params?.execution_time).toBeLessThan(10);
    expect(client.method('process.completed')).toHaveLength(1);
    const run = served.find((candidate) => candidate.task === 'hello-task');
    expect(run?.result.termination).toBe('exit');
    client.close();
  });

  it('asks the planner exactly as the runner does when the client gives no timeout', async () => {
    const client = await session();
    const before = planner.asked.length;
    client.request('execute', { command: 'true', task: 'label-1' });
    const completed = await completedOf(client);
    expect(planner.asked[before]).toMatchObject({
      argv: ['true'],
      shell: false,
      timeout: {},
      category: 'label-1',
      agent: 'none',
    });
    expect(completed.params?.timeouts).toMatchObject({
      max: { seconds: 1800, origin: 'config-default' },
      stall: { seconds: 600, origin: 'config-default' },
    });
    // Some existing clients send 0 for "no timeout".
    client.frames.length = 0;
    client.request('execute', { command: 'true', timeout: 0 });
    const unlimited = await completedOf(client);
    expect(unlimited.params?.timeouts).toMatchObject({ max: { seconds: 1800, origin: 'config-default' } });
    client.close();
  });

  it('reports a failing exit code, and a signal death as a negative exit code', async () => {
    const client = await session();
    client.request('execute', { command: `${node} -e "process.exit(3)"` });
    const failed = await completedOf(client);
    expect(failed.params).toMatchObject({ status: 'failed', exit_code: 3, reason: 'exit' });
    client.frames.length = 0;
    client.request('execute', { command: `${node} -e "process.kill(process.pid, 'SIGKILL')"` });
    const killed = await completedOf(client);
    expect(killed.params).toMatchObject({ status: 'failed', exit_code: -9, reason: 'exit' });
    client.close();
  });

  it('kills at the max limit and at the stall limit, with the reason and the limits applied', async () => {
    const client = await session();
    client.request('execute', {
      command: `${node} -e "setInterval(() => console.log('tick'), 100)"`,
      timeout: 1,
    });
    const timedOut = await completedOf(client);
    expect(timedOut.params).toMatchObject({
      status: 'failed',
      reason: 'timeout',
      timeouts: { max: { seconds: 1, origin: 'client' } },
    });
    expect(timedOut.params?.exit_code).toBeLessThan(0);
    expect(timedOut.params?.error).toMatch(/max limit 1s/);
    client.frames.length = 0;
    client.request('execute', { command: 'sleep 30', timeout: 20, stall_timeout: 0.5 });
    const stalled = await completedOf(client);
    expect(stalled.params).toMatchObject({
      status: 'failed',
      reason: 'stall',
      timeouts: { stall: { seconds: 0.5, origin: 'client' } },
    });
    expect(client.method('process.completed')).toHaveLength(1);
    client.close();
  });

  // That paused time counts toward no limit is the watchdog's rule, proved in watchdog.test.ts and once end to
  // end in watchdog-limits.int.test.ts; here: the control messages reach the whole group.
  it('pauses and resumes the process group', async () => {
    const client = await session();
    const id = client.request('execute', {
      command: `sh -c 'i=0; while [ $i -lt 15 ]; do echo $i; i=$((i+1)); sleep 0.1; done'`,
    });
    const { pgid } = (await client.response(id)).result as { pgid: number };
    await client.waitFor((frame) => frame.method === 'process.output' && frame.params?.data === '3\n');
    const paused = await client.call('control', { type: 'PAUSE' });
    expect(paused.result).toEqual({ status: 'paused' });
    await client.waitFor((frame) => frame.method === 'process.paused');
    await eventually(() => {
      const members = groupStates(pgid);
      // D: a shell waiting in vfork() for a child that was stopped before it could exec.
      return members.length > 0 && members.every((p) => p.state === 'T' || p.state === 'D');
    }, 'every process of the group stopped');
    const again = await client.call('control', { type: 'PAUSE' });
    expect(again.error?.code).toBe(-32602);
    const resumed = await client.call('control', { type: 'RESUME' });
    expect(resumed.result).toEqual({ status: 'resumed' });
    expect(client.method('process.resumed')[0]?.params).toMatchObject({ status: 'resumed' });
    const completed = await completedOf(client);
    expect(completed.params).toMatchObject({ status: 'completed', reason: 'exit', exit_code: 0 });
    expect(client.method('process.output')).toHaveLength(15);
    client.close();
  });

  it('cancels on CANCEL and still sends exactly one process.completed', async () => {
    const client = await session();
    const id = client.request('execute', { command: 'sleep 30' });
    const { pgid } = (await client.response(id)).result as { pgid: number };
    const canceled = await client.call('control', { type: 'CANCEL' });
    expect(canceled.result).toEqual({ status: 'canceled' });
    const completed = await completedOf(client);
    expect(completed.params).toMatchObject({ status: 'failed', reason: 'canceled', exit_code: -15 });
    expect(client.method('process.canceled')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.method('process.completed')).toHaveLength(1);
    expect(processesInGroup(pgid)).toEqual([]);
    client.close();
  });

  it('refuses a second execute while a process runs (-32602) and control with none (-32002)', async () => {
    const client = await session();
    const idle = await client.call('control', { type: 'CANCEL' });
    expect(idle.error).toEqual({ code: -32002, message: 'No process is running' });
    client.request('execute', { command: 'sleep 30' });
    const second = await client.call('execute', { command: 'echo too' });
    expect(second.error).toEqual({ code: -32602, message: 'A process is already running' });
    const bad = await client.call('control', { type: 'pause' });
    expect(bad.error?.code).toBe(-32602);
    await client.call('control', { type: 'CANCEL' });
    await completedOf(client);
    client.close();
  });

  it('answers unknown methods with -32601 and invalid JSON with -32700, and the session goes on', async () => {
    const client = await session();
    const unknown = await client.call('frobnicate');
    expect(unknown.error).toEqual({ code: -32601, message: 'Unknown method: frobnicate' });
    client.send('{"jsonrpc": "2.0", "id": 7, "method": ');
    const invalid = await client.waitFor((frame) => frame.error?.code === -32700);
    expect(invalid.id).toBeNull();
    client.send({ jsonrpc: '2.0', method: 'pong', params: {} });
    const missing = await client.call('execute', {});
    expect(missing.error?.code).toBe(-32602);
    client.request('execute', { command: 'echo still-here' });
    const completed = await completedOf(client);
    expect(completed.params?.exit_code).toBe(0);
    expect(client.method('process.output')[0]?.params?.data).toBe('still-here\n');
    // No frame ever answered the pong.
    expect(client.frames.filter((frame) => frame.id === undefined && frame.error)).toEqual([]);
    client.close();
  });

  it('sends ping notifications and never requires a pong', async () => {
    const client = await session();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const pings = client.method('ping');
    expect(pings.length).toBeGreaterThanOrEqual(2);
    expect(typeof pings[0]!.params?.timestamp).toBe('number');
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.close();
  });

  it('refuses an unquoted shell metacharacter (the command runs without a shell) and runs shell: true lines', async () => {
    const client = await session();
    const refused = await client.call('execute', { command: 'echo hi | tr h H' });
    expect(refused.error?.code).toBe(-32001);
    expect(refused.error?.message).toMatch(/'\|'/);
    client.request('execute', { command: 'echo hi | tr h H', shell: true });
    await completedOf(client);
    expect(client.method('process.output')[0]?.params?.data).toBe('Hi\n');
    client.close();
  });

  it('answers a spawn failure with -32603 and no process.completed', async () => {
    const client = await session();
    const failed = await client.call('execute', { command: 'no-such-program-cc-stress' });
    expect(failed.error?.code).toBe(-32603);
    expect(failed.error?.message).toMatch(/no-such-program-cc-stress/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.method('process.completed')).toEqual([]);
    client.close();
  });

  it('splits lines over 65,536 characters into numbered chunks', async () => {
    const client = await session();
    client.request('execute', { command: `${node} -e "console.log('x'.repeat(150000))"` });
    await completedOf(client);
    const chunks = client.method('process.output').map((frame) => frame.params!);
    expect(chunks.map((chunk) => [chunk.chunk_index, chunk.total_chunks])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    expect(chunks.map((chunk) => chunk.data).join('')).toBe(`${'x'.repeat(150000)}\n`);
    client.close();
  });

  it('kills the process group when the client disconnects mid-run: no orphans', async () => {
    const client = await session();
    // A grandchild in the same group, as agent CLIs spawn tools.
    const id = client.request('execute', { command: `sh -c 'sleep 30 & sleep 30'` });
    const { pgid } = (await client.response(id)).result as { pgid: number };
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processesInGroup(pgid).length).toBeGreaterThanOrEqual(2);
    client.socket.terminate();
    await eventually(() => processesInGroup(pgid).length === 0, 'the group gone', 5000, 50);
    expect(processesInGroup(pgid)).toEqual([]);
  });

  it('serves /health and /healthz', async () => {
    const base = server.url.replace('ws://', 'http://').replace('/ws/mcp', '');
    const client = await session();
    const health = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', max_sessions: 16 });
    expect(health.active_sessions).toBeGreaterThanOrEqual(1);
    expect(typeof health.uptime_seconds).toBe('number');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    client.close();
  });
});
