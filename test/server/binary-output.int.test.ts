import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBinaryOutput } from '../../src/protocol/messages.js';
import type { RunningServer } from '../../src/server/server.js';
import { startConfigServer } from '../helpers/config-server.js';
import { floodProgram } from '../helpers/flood.js';
import { firstWrongLine, numberedLinesScript } from '../helpers/numbered-lines.js';
import { type Frame, RawClient } from './raw-client.js';

const node = process.execPath;
const script = numberedLinesScript();
const BOUND = 1024 * 1024;
let server: RunningServer;

beforeAll(async () => {
  server = await startConfigServer({ graceMs: 200, maxBufferedBytes: BOUND });
});
afterAll(async () => {
  await server.close();
});

function streamBytes(frames: Frame[], type: 'stdout' | 'stderr'): Buffer {
  const parts: Buffer[] = [];
  for (const frame of frames) {
    if (frame.binary === undefined) continue;
    const output = readBinaryOutput(frame.binary);
    if (output?.type === type) parts.push(output.bytes);
  }
  return Buffer.concat(parts);
}

async function run(params: Record<string, unknown>): Promise<Frame[]> {
  const client = await RawClient.session(server.url);
  client.request('execute', { binary_output: true, ...params });
  await client.waitFor((frame) => frame.method === 'process.completed', 60_000);
  client.close();
  return client.frames;
}

describe('process.output as binary frames (binary_output)', () => {
  it('carries every byte of each stream as written, invalid UTF-8 included, before process.completed', async () => {
    const lines = 100_000;
    const program =
      "process.stderr.write(Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0xe2, 0x82])); process.stderr.write('\\xac end');";
    const frames = await run({
      command: `${node} ${script} ${lines} && ${node} -e "${program}"`,
      shell: true,
    });
    expect(firstWrongLine(streamBytes(frames, 'stdout').toString(), lines)).toBe(-1);
    expect(streamBytes(frames, 'stderr')).toEqual(
      Buffer.concat([Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0xe2, 0x82]), Buffer.from('\xac end')]),
    );
    // No output as text frames, and nothing after the completion.
    expect(frames.filter((frame) => frame.method === 'process.output')).toHaveLength(0);
    const completed = frames.findIndex((frame) => frame.method === 'process.completed');
    expect(frames.slice(completed + 1).some((frame) => frame.binary !== undefined)).toBe(false);
    expect(frames[completed]?.params).toMatchObject({ exit_code: 0, reason: 'exit' });
  }, 60_000);

  it('reads no faster than a client that stops reading takes the output, losing nothing, in bounded memory', async () => {
    const client = await RawClient.session(server.url);
    const total = 40 * 1024 * 1024;
    const writer = floodProgram(total, 'z');
    const id = client.request('execute', {
      command: `${node} -e "${writer.replace(/"/g, '\\"')}"`,
      binary_output: true,
      // Far shorter than the time the client keeps it waiting: waiting for the client is not a stall.
      stall_timeout: 1,
    });
    await client.response(id);
    client.socket.pause();
    let peak = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      peak = Math.max(peak, ...server.sessionStats().map((stats) => stats.bufferedBytes));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The pacing bound plus what was read before the pipes were paused; far below what was written.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(BOUND / 4 + 512 * 1024);
    expect(client.frames.some((frame) => frame.method === 'process.completed')).toBe(false);
    client.socket.resume();
    const completed = await client.waitFor((frame) => frame.method === 'process.completed', 60_000);
    expect(completed.params).toMatchObject({ exit_code: 0, reason: 'exit' });
    expect(streamBytes(client.frames, 'stdout').length).toBe(total);
    expect(client.frames.some((frame) => String(frame.params?.data).startsWith('[cc-stress server'))).toBe(
      false,
    );
    expect(server.health().dropped_output_bytes).toBe(0);
    client.close();
  }, 60_000);

  it('sends a limit notification after the frame that holds its line', async () => {
    const program =
      "let s = ''; for (let i = 0; i < 5000; i += 1) s += 'before ' + i + '\\n'; " +
      "s += 'Claude AI usage limit reached|1767225600\\n'; " +
      "for (let i = 0; i < 5000; i += 1) s += 'after ' + i + '\\n'; process.stdout.write(s);";
    const frames = await run({ command: `${node} -e "${program}"` });
    const signals = frames.filter((frame) => frame.method === 'error.rate_limit_exceeded');
    expect(signals).toHaveLength(1);
    expect(signals[0]?.params).toMatchObject({ error_type: 'usage_limit', reset_timestamp: 1767225600 });
    const signal = frames.indexOf(signals[0]!);
    const holder = frames.findIndex((frame) => frame.binary?.includes('usage limit reached'));
    expect(holder).toBeGreaterThan(0);
    expect(holder).toBeLessThan(signal);
  });

  it('leaves the output unsearched for a client that wants no limit notifications (limit_signals: false)', async () => {
    const program =
      "process.stdout.write('Claude AI usage limit reached|1767225600\\n'); " +
      "process.stderr.write('Error: exceeded the 32000 output token maximum\\n');";
    const frames = await run({ command: `${node} -e "${program}"`, limit_signals: false });
    expect(frames.filter((frame) => String(frame.method).startsWith('error.'))).toEqual([]);
    // The output itself is untouched.
    expect(streamBytes(frames, 'stdout').toString()).toBe('Claude AI usage limit reached|1767225600\n');
    expect(streamBytes(frames, 'stderr').toString()).toBe('Error: exceeded the 32000 output token maximum\n');
    // The same output, for a client that does not say so, brings both notifications.
    const told = await run({ command: `${node} -e "${program}"` });
    expect(
      told
        .map((frame) => frame.method)
        .filter((method) => String(method).startsWith('error.'))
        .sort(),
    ).toEqual(['error.rate_limit_exceeded', 'error.token_limit_exceeded']);
  });
});

describe('clients that do not ask for binary_output', () => {
  it('get text frames only', async () => {
    const client = await RawClient.session(server.url);
    client.request('execute', { command: `${node} ${script} 100`, batch_output: true });
    await client.waitFor((frame) => frame.method === 'process.completed', 60_000);
    client.close();
    expect(client.frames.some((frame) => frame.binary !== undefined)).toBe(false);
    expect(client.frames.filter((frame) => frame.method === 'process.output').length).toBeGreaterThan(0);
  });
});
