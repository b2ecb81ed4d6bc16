import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { containment } from '../../src/exec/process/containment.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { ConfigTimeoutPlanner } from '../../src/timeouts/config-planner.js';
import { ESCAPES, escapeThen, newMarker, survivorsOf, withMarker } from '../exec/support/escapes.js';
import { RawClient } from './raw-client.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    planner: new ConfigTimeoutPlanner(configSchema.parse({})),
    graceMs: 300,
  });
});
afterAll(async () => {
  await server.close();
});

describe.runIf(containment().kind === 'pid-namespace')('serve with shell: true', () => {
  for (const [name, escapeCommand] of Object.entries(ESCAPES)) {
    it(`leaves nothing of "${name}" once the process completed`, async () => {
      const client = await RawClient.session(server.url);
      const marker = newMarker();
      client.request('execute', {
        command: escapeThen(escapeCommand(marker), marker, 'exit 0'),
        shell: true,
      });
      const completed = await client.waitFor((frame) => frame.method === 'process.completed');
      expect(completed.params?.exit_code).toBe(0);
      expect(withMarker(marker)).toEqual([]);
      client.close();
    }, 20_000);

    it(`leaves nothing of "${name}" when the client goes away mid-run`, async () => {
      const client = await RawClient.session(server.url);
      const marker = newMarker();
      client.request('execute', {
        command: escapeThen(escapeCommand(marker), marker, 'sleep 600'),
        shell: true,
      });
      await client.waitFor(
        (frame) => frame.method === 'process.output' && frame.params?.data === 'escaped\n',
      );
      client.close();
      expect(await survivorsOf(marker, 10_000)).toEqual([]);
    }, 20_000);
  }
});
