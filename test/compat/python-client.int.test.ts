import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/server.js';
import { startConfigServer } from '../helpers/config-server.js';

const script = fileURLToPath(new URL('./protocol_client.py', import.meta.url));
let server: RunningServer;

beforeAll(async () => {
  server = await startConfigServer({
    graceMs: 300,
    token: 'compat-token',
  });
});
afterAll(async () => {
  await server.close();
});

describe('a Python client written from the protocol page', () => {
  it('passes the happy path against our server on /ws/mcp', async () => {
    const { stdout } = await promisify(execFile)('python3', [script, server.url, 'compat-token'], {
      timeout: 20_000,
    }).catch((error: { stdout?: string; message: string }) => {
      throw new Error(`${error.message}\n${error.stdout ?? ''}`);
    });
    expect(stdout).not.toContain('FAIL');
    expect(stdout.trim().split('\n').at(-1)).toBe('PASS');
  });
});
