import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { ConfigTimeoutPlanner } from '../src/timeouts/config-planner.js';

/**
 * No Docker engine runs where the tests run, so the Dockerfile is checked by reading it, and what its
 * HEALTHCHECK runs is run here, against a real `serve`.
 */
const dockerfile = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
/** Docker joins continuation lines before it parses an instruction. */
const instructions = dockerfile
  .replace(/\\\n/g, '')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));

function healthcheckArgv(): string[] {
  const line = instructions.find((l) => l.startsWith('HEALTHCHECK '));
  const json = /\bCMD (\[.*\])\s*$/.exec(line ?? '')?.[1];
  expect(json, 'HEALTHCHECK in exec form').toBeDefined();
  return JSON.parse(json!) as string[];
}

/** Runs the probe as Docker would, with PID 1's command line replaced by `cmdline`. */
async function probe(cmdline: string[]): Promise<number> {
  const [program, ...args] = healthcheckArgv();
  const file = join(mkdtempSync(join(tmpdir(), 'health-')), 'cmdline');
  writeFileSync(file, `${cmdline.join('\0')}\0`);
  const patched = args.map((arg) => arg.replace('/proc/1/cmdline', file));
  return promisify(execFile)(program === 'node' ? process.execPath : program!, patched).then(
    () => 0,
    (error: { code?: number }) => error.code ?? -1,
  );
}

const ENTRY = ['/usr/bin/tini', '--', 'node', '/app/bin/cc-stress'];

describe('Dockerfile', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, planner: new ConfigTimeoutPlanner(configSchema.parse({})) });
  });
  afterAll(() => server.close());

  it('installs dependencies in a layer that a source change does not invalidate', () => {
    const index = (pattern: RegExp): number => instructions.findIndex((line) => pattern.test(line));
    const install = index(/^RUN npm ci\b/);
    expect(install).toBeGreaterThan(index(/^COPY package\.json package-lock\.json/));
    expect(index(/^COPY src\b/)).toBeGreaterThan(install);
    expect(index(/^COPY (tsconfig|src)/)).toBeGreaterThan(install);
  });

  it('carries OCI labels', () => {
    for (const label of ['title', 'description', 'licenses', 'version']) {
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
    }
  });

  it('reports serve healthy when /healthz answers, on the port it was given', async () => {
    expect(await probe([...ENTRY, 'serve', '--host', '0.0.0.0', '--port', String(server.port)])).toBe(0);
  });

  it('reports serve unhealthy when nothing answers', async () => {
    const closed = await startServer({ port: 0, planner: new ConfigTimeoutPlanner(configSchema.parse({})) });
    const port = closed.port;
    await closed.close();
    expect(await probe([...ENTRY, 'serve', '--port', String(port)])).toBe(1);
  });

  it('has nothing to probe in a container that runs a suite', async () => {
    expect(await probe([...ENTRY, 'run', 'suites/demo.yaml'])).toBe(0);
  });
});
