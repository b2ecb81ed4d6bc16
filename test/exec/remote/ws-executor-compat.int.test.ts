import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { WebSocketExecutor } from '../../../src/exec/remote/ws-executor.js';
import { eventually } from '../../helpers/eventually.js';
import { plan, request } from './ws-test-support.js';

/**
 * Stands in for the existing executor service (another vendor's server), reproducing the behaviours the
 * protocol page says a client must tolerate.
 */
interface FakeService {
  url: string;
  frames: unknown[];
  close(): Promise<void>;
}

type Script = (
  socket: WebSocket,
  frame: { id?: number; method: string; params?: Record<string, unknown> },
) => void;

function send(socket: WebSocket, method: string, params: Record<string, unknown>): void {
  socket.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
}

function answer(socket: WebSocket, id: number | undefined, result: Record<string, unknown>): void {
  socket.send(JSON.stringify({ jsonrpc: '2.0', id, result }));
}

const servers: FakeService[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeService(script: Script, onConnect?: (socket: WebSocket) => void): Promise<FakeService> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const frames: unknown[] = [];
  wss.on('connection', (socket) => {
    send(socket, 'connected', {
      session_id: crypto.randomUUID(),
      version: '1.2.0',
      capabilities: ['execute'],
    });
    onConnect?.(socket);
    socket.on('message', (data: RawData) => {
      const frame = JSON.parse(data.toString());
      frames.push(frame);
      script(socket, frame);
    });
  });
  const service: FakeService = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/mcp`,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
  servers.push(service);
  return service;
}

function started(socket: WebSocket, id: number | undefined): void {
  answer(socket, id, { status: 'started', pid: 4242, pgid: 4242 });
  send(socket, 'process.started', { status: 'started', pid: 4242, pgid: 4242, exit_code: null, error: null });
}

function output(socket: WebSocket, data: string, type = 'stdout'): void {
  send(socket, 'process.output', { type, data, truncated: false, chunk_index: null, total_chunks: null });
}

function completed(socket: WebSocket, exitCode: number): void {
  send(socket, 'process.completed', {
    status: exitCode === 0 ? 'completed' : 'failed',
    pid: 4242,
    pgid: 4242,
    exit_code: exitCode,
    error: null,
    execution_time: 0.1,
  });
}

describe('WebSocketExecutor against the existing service', () => {
  it('treats its "[Stream timed out after Ns]" line as a stall even when a completion with exit 0 follows', async () => {
    const service = await fakeService((socket, frame) => {
      if (frame.method !== 'execute') return;
      started(socket, frame.id);
      output(socket, 'working\n');
      output(socket, '[Stream timed out after 1s]\n');
      completed(socket, 0);
    });
    const executor = new WebSocketExecutor({ urls: [service.url], completionGraceMs: 300, graceMs: 0 });
    const result = await executor.run(request());
    expect(result.termination).toBe('stall');
    expect(result.detail).toContain('[Stream timed out after 1s]');
    expect(result.outputTail).toBe('working\n');
    // The existing service kills nothing on its timeout: the client must cancel the process itself.
    await eventually(() => service.frames.length >= 2, 'two frames at the service', 2000);
    expect(service.frames).toContainEqual(
      expect.objectContaining({ method: 'control', params: { type: 'CANCEL' } }),
    );
  });

  it('stops waiting for process.completed after CANCEL when the service never sends it', async () => {
    const service = await fakeService((socket, frame) => {
      if (frame.method === 'execute') {
        started(socket, frame.id);
        output(socket, 'thinking...\n');
      }
      if (frame.method === 'control') answer(socket, frame.id, { status: 'canceled' });
    });
    const executor = new WebSocketExecutor({ urls: [service.url], completionGraceMs: 400, graceMs: 0 });
    const began = Date.now();
    const result = await executor.run(request({ plan: plan(20_000, 600) }));
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(/stall limit 0\.6s/);
    expect(result.detail).toMatch(/no process\.completed within 400 ms/);
    expect(Date.now() - began).toBeLessThan(3000);
    await eventually(() => service.frames.length >= 2, 'two frames at the service', 2000);
    expect(service.frames).toContainEqual(
      expect.objectContaining({ method: 'control', params: { type: 'CANCEL' } }),
    );
  });

  it('answers every ping with the exact pong the service expects', async () => {
    let pongs = 0;
    const service = await fakeService(
      (socket, frame) => {
        if (frame.method === 'execute') {
          started(socket, frame.id);
          send(socket, 'ping', { timestamp: Date.now() / 1000 });
        }
        if (frame.method === 'pong') {
          pongs += 1;
          // Like the later versions of the service: nothing completes for a client that never answers.
          if (pongs === 2) {
            output(socket, 'done\n');
            completed(socket, 0);
          }
        }
      },
      (socket) => send(socket, 'ping', { timestamp: Date.now() / 1000 }),
    );
    const executor = new WebSocketExecutor({ urls: [service.url] });
    const result = await executor.run(request());
    expect(result.termination).toBe('exit');
    expect(result.exitCode).toBe(0);
    const pongFrames = service.frames.filter((frame) => (frame as { method: string }).method === 'pong');
    expect(pongFrames).toEqual([
      { jsonrpc: '2.0', method: 'pong', params: {} },
      { jsonrpc: '2.0', method: 'pong', params: {} },
    ]);
  });

  it('sends the command POSIX-quoted with the limits in seconds, and reads a negative exit code as a signal', async () => {
    const service = await fakeService((socket, frame) => {
      if (frame.method !== 'execute') return;
      started(socket, frame.id);
      completed(socket, -9);
    });
    const executor = new WebSocketExecutor({ urls: [service.url] });
    const result = await executor.run(
      request({ argv: ['claude', '-p', "it's 2+2?"], env: { MODEL: 'x' }, plan: plan(61_500, 30_000) }),
    );
    expect(result.termination).toBe('exit');
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGKILL');
    const execute = service.frames.find((frame) => (frame as { method: string }).method === 'execute');
    expect(execute).toMatchObject({
      jsonrpc: '2.0',
      params: {
        command: `claude -p 'it'\\''s 2+2?'`,
        timeout: 64,
        stall_timeout: 32,
        env: { MODEL: 'x' },
        // Extensions the service ignores (unknown keys are): it goes on sending a frame per line.
        batch_output: true,
        limit_signals: false,
      },
    });
  });

  it('ends as crashed, naming the URL, when the socket drops mid-run', async () => {
    const service = await fakeService((socket, frame) => {
      if (frame.method !== 'execute') return;
      started(socket, frame.id);
      output(socket, 'partial\n');
      setTimeout(() => socket.terminate(), 100);
    });
    const executor = new WebSocketExecutor({ urls: [service.url] });
    const result = await executor.run(request());
    expect(result.termination).toBe('crashed');
    expect(result.detail).toContain(service.url);
    expect(result.detail).toMatch(/dropped/);
    expect(result.outputTail).toBe('partial\n');
  });

  it('ends as crashed, naming the URL, when nothing listens there', async () => {
    const service = await fakeService(() => {});
    const url = service.url;
    await service.close();
    const executor = new WebSocketExecutor({ urls: [url], connectTimeoutMs: 1000 });
    const result = await executor.run(request());
    expect(result.termination).toBe('crashed');
    expect(result.detail).toContain(url);
    expect(result.detail).toContain('ECONNREFUSED');
  });

  it('spreads tasks over several URLs and skips one that is down', async () => {
    const seen: string[] = [];
    const script =
      (name: string): Script =>
      (socket, frame) => {
        if (frame.method !== 'execute') return;
        seen.push(name);
        started(socket, frame.id);
        completed(socket, 0);
      };
    const a = await fakeService(script('a'));
    const b = await fakeService(script('b'));
    const dead = await fakeService(() => {});
    await dead.close();
    const executor = new WebSocketExecutor({ urls: [a.url, dead.url, b.url], connectTimeoutMs: 1000 });
    const results = [];
    for (let i = 0; i < 6; i += 1) results.push(await executor.run(request()));
    expect(results.map((result) => result.termination)).toEqual(Array(6).fill('exit'));
    expect(seen.filter((name) => name === 'a').length).toBeGreaterThanOrEqual(2);
    expect(seen.filter((name) => name === 'b').length).toBeGreaterThanOrEqual(2);
  });

  it('cancels the remote process when the runner aborts the task', async () => {
    const service = await fakeService((socket, frame) => {
      if (frame.method === 'execute') started(socket, frame.id);
      if (frame.method === 'control') {
        answer(socket, frame.id, { status: 'canceled' });
        completed(socket, -15);
      }
    });
    const executor = new WebSocketExecutor({ urls: [service.url] });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    const result = await executor.run(request({ signal: abort.signal }));
    expect(result.termination).toBe('cancelled');
    expect(result.signal).toBe('SIGTERM');
  });

  it('takes a well-formed process.started as the start, and not one whose ids are not numbers', async () => {
    const startsWith = async (pid: unknown): Promise<number> => {
      const service = await fakeService((socket, frame) => {
        if (frame.method !== 'execute') return;
        answer(socket, frame.id, { status: 'started' });
        send(socket, 'process.started', { status: 'started', pid, pgid: pid, exit_code: null, error: null });
        completed(socket, 0);
      });
      let starts = 0;
      const executor = new WebSocketExecutor({ urls: [service.url], graceMs: 0 });
      await executor.run(request(), { onStart: () => starts++ });
      return starts;
    };
    expect(await startsWith(4242)).toBe(1);
    expect(await startsWith(null)).toBe(1);
    expect(await startsWith('4242; rm -rf /')).toBe(0);
  });
});
