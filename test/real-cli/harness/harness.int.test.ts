import { readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertLoopbackOnly, networkInterfaces } from './netns.js';
import { loggedRequests, newWorkDir, runInNamespace } from './run-in-namespace.js';

describe('the real-CLI harness', () => {
  it('refuses to start a real CLI where the network has more than loopback', () => {
    const devFile = join(newWorkDir(), 'dev');
    writeFileSync(devFile, 'Inter-|   Receive\n face |bytes\n    lo: 0 0\n  eth0: 1 2\n');
    expect(networkInterfaces(devFile)).toEqual(['lo', 'eth0']);
    expect(() => assertLoopbackOnly(devFile)).toThrow(/refusing to start a real agent CLI: .*lo, eth0/);
  });

  it('runs the fake APIs and cc-stress in a network namespace of their own', async () => {
    const run = runInNamespace({ apis: ['anthropic'], args: ['--version'] });
    const ready = await run.ready;
    const done = await run.done;
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.netns).toMatch(/^net:\[\d+\]$/);
    expect(ready.netns).not.toBe(readlinkSync('/proc/self/ns/net'));
    expect(loggedRequests(run.workDir)).toEqual([]);
  });
});
