import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { startConfigServer } from '../helpers/config-server.js';
import { floodProgram } from '../helpers/flood.js';
import { type Frame, RawClient } from './raw-client.js';

const node = process.execPath;
const BOUND = 1024 * 1024;
let server: RunningServer;

beforeAll(async () => {
  server = await startConfigServer({
    graceMs: 200,
    maxBufferedBytes: BOUND,
  });
});
afterAll(async () => {
  await server.close();
});

function outputBytes(frames: Frame[]): number {
  return frames
    .filter(
      (frame) =>
        frame.method === 'process.output' && !String(frame.params?.data).startsWith('[cc-stress server'),
    )
    .reduce((sum, frame) => sum + Buffer.byteLength(String(frame.params?.data)), 0);
}

function outputLines(frames: Frame[]): number {
  return frames
    .filter(
      (frame) =>
        frame.method === 'process.output' && !String(frame.params?.data).startsWith('[cc-stress server'),
    )
    .reduce((sum, frame) => sum + String(frame.params?.data).split('\n').length - 1, 0);
}

describe('a client that reads slowly or misbehaves', () => {
  it.each([
    ['one line per frame', false],
    ['batched lines (batch_output)', true],
  ])(
    'costs bounded memory with %s: output beyond the bound is dropped and reported by a marker line',
    async (_, batch) => {
      const client = await RawClient.session(server.url);
      const total = 40 * 1024 * 1024;
      const script = floodProgram(total, 'z');
      const id = client.request('execute', {
        command: `${node} -e "${script.replace(/"/g, '\\"')}"`,
        batch_output: batch,
      });
      await client.response(id);
      // The client stops reading: the socket is no longer drained.
      client.socket.pause();
      let peak = 0;
      let sessionStats = server.sessionStats();
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        sessionStats = server.sessionStats();
        const mine = sessionStats.find((stats) => stats.busy);
        if (mine === undefined) break;
        peak = Math.max(peak, mine.bufferedBytes);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // One frame may be in flight beyond the bound when the check passes.
      expect(peak).toBeLessThanOrEqual(BOUND + 70 * 1024);
      client.socket.resume();
      const completed = await client.waitFor((frame) => frame.method === 'process.completed', 30_000);
      expect(completed.params).toMatchObject({ status: 'completed', exit_code: 0 });
      const markers = client.frames.filter(
        (frame) =>
          frame.method === 'process.output' && String(frame.params?.data).startsWith('[cc-stress server'),
      );
      expect(markers.length).toBeGreaterThanOrEqual(1);
      const dropped = markers
        .map((marker) => Number(/dropped (\d+) bytes/.exec(String(marker.params?.data))?.[1]))
        .reduce((sum, n) => sum + n, 0);
      expect(dropped).toBeGreaterThan(0);
      // Every byte and every line is accounted for: received, or counted in a marker.
      expect(outputBytes(client.frames) + dropped).toBe(total);
      const droppedLines = markers
        .map((marker) => Number(/\((\d+) lines\)/.exec(String(marker.params?.data))?.[1]))
        .reduce((sum, n) => sum + n, 0);
      expect(outputLines(client.frames) + droppedLines).toBe(total / 1024);
      client.close();
    },
    60_000,
  );

  it('keeps serving other sessions through a flood of malformed frames', async () => {
    const flooder = await RawClient.session(server.url);
    const other = await RawClient.session(server.url);
    for (let i = 0; i < 2000; i += 1) flooder.send(`{"broken": ${i}`);
    other.request('execute', { command: 'echo unaffected' });
    const completed = await other.waitFor((frame) => frame.method === 'process.completed');
    expect(completed.params?.exit_code).toBe(0);
    await flooder.waitFor(
      (_frame) => flooder.frames.filter((frame) => frame.error?.code === -32700).length === 2000,
    );
    flooder.close();
    other.close();
  });

  it('closes a session that sends a frame over the payload limit, and only that one', async () => {
    const big = await RawClient.session(server.url);
    const other = await RawClient.session(server.url);
    big.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'execute',
      params: { command: `echo ${'a'.repeat(2 * 1024 * 1024)}` },
    });
    const closed = await big.closed;
    expect(closed.code).toBe(1009);
    const ok = await other.call('frobnicate');
    expect(ok.error?.code).toBe(-32601);
    other.close();
  });
});
