import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OUTPUT_CHUNK } from '../../src/protocol/messages.js';
import type { RunningServer } from '../../src/server/server.js';
import { startConfigServer } from '../helpers/config-server.js';
import { firstWrongLine, LINE_BYTES, numberedLinesScript } from '../helpers/numbered-lines.js';
import { type Frame, RawClient } from './raw-client.js';

const node = process.execPath;
const script = numberedLinesScript();
let server: RunningServer;

beforeAll(async () => {
  server = await startConfigServer({
    graceMs: 200,
  });
});
afterAll(async () => {
  await server.close();
});

async function run(params: Record<string, unknown>): Promise<Frame[]> {
  const client = await RawClient.session(server.url);
  client.request('execute', params);
  await client.waitFor((frame) => frame.method === 'process.completed', 60_000);
  client.close();
  return client.frames;
}

function outputs(frames: Frame[]): Array<Record<string, unknown>> {
  return frames.filter((frame) => frame.method === 'process.output').map((frame) => frame.params ?? {});
}

describe('process.output for a client that asks for batches (batch_output)', () => {
  it('carries many whole lines per frame, complete and in order', async () => {
    const lines = 100_000;
    const frames = await run({ command: `${node} ${script} ${lines}`, batch_output: true });
    const sent = outputs(frames);
    const text = sent.map((params) => params.data).join('');
    expect(firstWrongLine(text, lines)).toBe(-1);
    for (const params of sent) {
      expect(params).toMatchObject({
        type: 'stdout',
        truncated: false,
        chunk_index: null,
        total_chunks: null,
      });
      expect(String(params.data).endsWith('\n')).toBe(true);
      expect(String(params.data).length).toBeLessThanOrEqual(MAX_OUTPUT_CHUNK);
    }
    // One frame per read of the pipe, at worst, rather than one per line.
    expect(sent.length).toBeLessThan(lines / 20);
    expect(server.health().dropped_output_bytes).toBe(0);
  }, 60_000);

  it('sends a limit notification after the frame that holds its line', async () => {
    const program =
      "let s = ''; for (let i = 0; i < 500; i += 1) s += 'before ' + i + '\\n'; " +
      "s += 'Claude AI usage limit reached|1767225600\\n'; " +
      "for (let i = 0; i < 500; i += 1) s += 'after ' + i + '\\n'; process.stdout.write(s);";
    const frames = await run({ command: `${node} -e "${program}"`, batch_output: true });
    const signal = frames.findIndex((frame) => frame.method === 'error.rate_limit_exceeded');
    const holder = frames.findIndex((frame) => String(frame.params?.data).includes('usage limit reached'));
    expect(signal).toBeGreaterThan(0);
    expect(holder).toBeGreaterThan(0);
    expect(holder).toBeLessThan(signal);
  });
});

describe('process.output for clients that did not ask (clients of the existing service)', () => {
  it('stays one line per frame, each with its newline', async () => {
    const lines = 2000;
    const frames = await run({ command: `${node} ${script} ${lines}` });
    const sent = outputs(frames);
    expect(sent).toHaveLength(lines);
    expect(sent.every((params) => String(params.data).length === LINE_BYTES)).toBe(true);
    expect(firstWrongLine(sent.map((params) => params.data).join(''), lines)).toBe(-1);
  });
});
