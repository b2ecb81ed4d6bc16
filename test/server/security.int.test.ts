import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { WebSocketExecutor } from '../../src/exec/remote/ws-executor.js';
import { type RunningServer, ServerStartError, startServer } from '../../src/server/server.js';
import { ConfigTimeoutPlanner } from '../../src/timeouts/config-planner.js';
import { request } from '../exec/remote/ws-test-support.js';
import { RawClient } from './raw-client.js';

const planner = new ConfigTimeoutPlanner(configSchema.parse({}));
const started: RunningServer[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'serve-security-'));

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function start(options: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, planner, graceMs: 200, ...options });
  started.push(server);
  return server;
}

describe('server security', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startServer({ host: '0.0.0.0', port: 0, planner })).rejects.toThrow(ServerStartError);
    await expect(startServer({ host: '0.0.0.0', port: 0, planner })).rejects.toThrow(/without a token/);
  });

  it('says so in one line when the port is taken', async () => {
    const first = await start();
    await expect(startServer({ port: first.port, planner })).rejects.toThrow(
      `port ${first.port} on 127.0.0.1 is already in use; pick another with --port`,
    );
  });

  it('binds 127.0.0.1 by default', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/mcp$/);
  });

  it('listens beyond loopback with a token, and takes it from the header only', async () => {
    const server = await start({ host: '0.0.0.0', token: 's3cret' });
    const url = `ws://127.0.0.1:${server.port}/ws/mcp`;
    await expect(RawClient.connect(url)).rejects.toThrow('HTTP 401');
    await expect(RawClient.connect(url, { Authorization: 'Bearer wrong' })).rejects.toThrow('HTTP 401');
    // A token in the URL lands in proxy and access logs: refused even when right.
    await expect(RawClient.connect(`${url}?token=s3cret`)).rejects.toThrow('HTTP 401');
    const byHeader = await RawClient.session(url, { Authorization: 'Bearer s3cret' });
    byHeader.close();
  });

  it('takes the token from the query only where the operator allowed it', async () => {
    const server = await start({ host: '0.0.0.0', token: 's3cret', queryToken: true });
    const url = `ws://127.0.0.1:${server.port}/ws/mcp`;
    await expect(RawClient.connect(`${url}?token=wrong`)).rejects.toThrow('HTTP 401');
    const byQuery = await RawClient.session(`${url}?token=s3cret`);
    byQuery.close();
  });

  it('runs only allowed programs, matched on the resolved file, not the text', async () => {
    const server = await start({ allow: ['echo'] });
    const client = await RawClient.session(server.url);
    const allowed = await client.call('execute', { command: 'echo allowed' });
    expect(allowed.result).toMatchObject({ status: 'started' });
    await client.waitFor((frame) => frame.method === 'process.completed');

    const other = await client.call('execute', { command: 'ls' });
    expect(other.error?.code).toBe(-32001);
    expect(other.error?.message).toMatch(/not in the allow-list/);

    // Same name, different file: a copy planted in a folder the client points to.
    copyFileSync('/bin/echo', join(scratch, 'echo'));
    const planted = await client.call('execute', { command: './echo hi', cwd: scratch });
    expect(planted.error?.code).toBe(-32001);
    const byPath = await client.call('execute', { command: `${join(scratch, 'echo')} hi` });
    expect(byPath.error?.code).toBe(-32001);

    const piped = await client.call('execute', { command: 'echo hi; id' });
    expect(piped.error?.code).toBe(-32001);
    const shell = await client.call('execute', { command: 'echo hi', shell: true });
    expect(shell.error).toEqual({
      code: -32001,
      message: 'Command not allowed: shell mode is refused on a server with an allow-list',
    });
    const preload = await client.call('execute', { command: 'echo hi', env: { LD_PRELOAD: '/tmp/x.so' } });
    expect(preload.error?.code).toBe(-32001);
    expect(client.frames.filter((frame) => frame.method === 'process.completed')).toHaveLength(1);
    client.close();
  });

  it('lets clients set only the variables the operator allowed', async () => {
    const server = await start({ allow: ['echo'], allowEnv: ['ANTHROPIC_*'] });
    const client = await RawClient.session(server.url);
    for (const env of [
      { GIT_SSH_COMMAND: 'touch /tmp/x' },
      { GCONV_PATH: '/tmp' },
      { PYTHONHOME: '/tmp' },
      { GIT_CONFIG_COUNT: '1' },
      { JAVA_TOOL_OPTIONS: '-javaagent:/tmp/x.jar' },
      { SOMETHING_NEW: 'x' },
    ]) {
      const refused = await client.call('execute', { command: 'echo hi', env });
      expect(refused.error?.code, JSON.stringify(env)).toBe(-32001);
      expect(refused.error?.message).toContain(Object.keys(env)[0]);
      expect(refused.error?.message).toContain('--allow-env');
    }
    const fine = await client.call('execute', {
      command: 'echo hi',
      env: { LANG: 'C.UTF-8', LC_ALL: 'C', ANTHROPIC_API_KEY: 'k' },
    });
    expect(fine.result).toMatchObject({ status: 'started' });
    await client.waitFor((frame) => frame.method === 'process.completed');
    client.close();
  });

  it('refuses to allow a program that runs whatever its arguments say, unless opted in', async () => {
    await expect(start({ allow: ['git'] })).rejects.toThrow(/git runs any command.*--allow-code-runner git/);
    await expect(start({ allow: ['sh'] })).rejects.toThrow(/--allow-code-runner/);
    const server = await start({ allow: ['git'], allowCodeRunners: ['git'] });
    const client = await RawClient.session(server.url);
    const ran = await client.call('execute', { command: 'git --version' });
    expect(ran.result).toMatchObject({ status: 'started' });
    client.close();
  });

  it('keeps a requested cwd inside the root, symlinks included', async () => {
    const root = mkdtempSync(join(scratch, 'root-'));
    mkdirSync(join(root, 'inside'));
    symlinkSync('/etc', join(root, 'escape'));
    const server = await start({ allow: ['echo'], cwd: root });
    const client = await RawClient.session(server.url);
    const inside = await client.call('execute', { command: 'echo hi', cwd: 'inside' });
    expect(inside.result).toMatchObject({ status: 'started' });
    await client.waitFor((frame) => frame.method === 'process.completed');
    for (const cwd of ['../../../../etc', '/etc', 'escape']) {
      const refused = await client.call('execute', { command: 'echo hi', cwd });
      expect(refused.error?.code, cwd).toBe(-32001);
      expect(refused.error?.message).toContain("outside the server's root");
    }
    client.close();
  });

  it('clamps a client limit to the server cap instead of switching the limit off', async () => {
    const server = await start({ capSeconds: 60 });
    const client = await RawClient.session(server.url);
    await client.call('execute', { command: 'echo hi', timeout: 1e308, stall_timeout: 1e308 });
    const done = await client.waitFor((frame) => frame.method === 'process.completed');
    type Limit = { seconds: number; detail: string };
    const timeouts = (done.params as { timeouts: { max: Limit; stall: Limit } }).timeouts;
    expect(timeouts.max.seconds).toBe(60);
    expect(timeouts.max.detail).toContain("clamped to the server's cap");
    expect(timeouts.stall.seconds).toBeLessThanOrEqual(60);
    client.close();
  });

  it('refuses sessions over the limit with -32003, then closes', async () => {
    const server = await start({ maxSessions: 2 });
    const one = await RawClient.session(server.url);
    const two = await RawClient.session(server.url);
    const three = await RawClient.connect(server.url);
    const refusal = await three.waitFor((frame) => frame.error !== undefined);
    expect(refusal.error).toEqual({ code: -32003, message: 'Session limit reached (2 sessions)' });
    expect((await three.closed).code).toBe(1008);
    one.close();
    await one.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const four = await RawClient.session(server.url);
    two.close();
    four.close();
  });

  it('refuses browser connections (an Origin header) when no token protects the server', async () => {
    const open = await start();
    await expect(RawClient.connect(open.url, { Origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    const guarded = await start({ token: 't0ken' });
    const client = await RawClient.session(guarded.url, {
      Origin: 'https://dashboard.example',
      Authorization: 'Bearer t0ken',
    });
    client.close();
  });

  it('lets our client through with the token and tells it clearly when the token is wrong', async () => {
    const server = await start({ token: 'right' });
    const wrong = await new WebSocketExecutor({ urls: [server.url], token: 'wrong' }).run(request());
    expect(wrong.termination).toBe('crashed');
    expect(wrong.detail).toContain(server.url);
    expect(wrong.detail).toContain('HTTP 401');
    const right = await new WebSocketExecutor({ urls: [server.url], token: 'right' }).run(request());
    expect(right.termination).toBe('exit');
  });

  it('answers plain HTTP on the WebSocket paths and unknown paths without upgrading', async () => {
    const server = await start();
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/ws/mcp`)).status).toBe(426);
    await expect(RawClient.connect(`ws://127.0.0.1:${server.port}/other`)).rejects.toThrow('HTTP 404');
  });
});
