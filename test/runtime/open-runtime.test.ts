import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openRuntime, separateHistoryPath } from '../../src/runtime/open-runtime.js';
import { ConfigTimeoutPlanner } from '../../src/timeouts/config-planner.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cc-stress-runtime-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const warnings: string[] = [];
const onWarning = (message: string): void => {
  warnings.push(message);
};

describe('openRuntime', () => {
  it('opens the configured history file and plans from it', async () => {
    const historyPath = join(scratch(), 'history.db');
    const loaded = loadConfig({ env: { CC_STRESS_HISTORY: historyPath } });
    const runtime = await openRuntime({ config: loaded, onWarning });
    expect(runtime.history?.kind).toBe('sqlite');
    expect(runtime.planner()).toBeInstanceOf(LearnedTimeoutPlanner);
    expect(runtime.planner()).toBe(runtime.planner());
    await runtime.close();
    expect(existsSync(historyPath)).toBe(true);
  });

  it('opens no store with history off, and plans from the config defaults', async () => {
    const historyPath = join(scratch(), 'history.db');
    const loaded = loadConfig({ env: { CC_STRESS_HISTORY: historyPath } });
    const runtime = await openRuntime({ config: loaded, history: false, onWarning });
    expect(runtime.history).toBeUndefined();
    expect(runtime.planner()).toBeInstanceOf(ConfigTimeoutPlanner);
    await runtime.close();
    expect(existsSync(historyPath)).toBe(false);
  });

  it("keeps a suite's separate history in its report folder, never in the configured file", async () => {
    const configured = join(scratch(), 'history.db');
    const out = join(scratch(), 'reports');
    const loaded = loadConfig({ env: { CC_STRESS_HISTORY: configured } });
    const runtime = await openRuntime({ config: loaded, separateHistoryIn: out, onWarning });
    expect(runtime.loaded.historyPath).toBe(separateHistoryPath(out));
    await runtime.close();
    expect(existsSync(join(out, 'history.db'))).toBe(true);
    expect(existsSync(configured)).toBe(false);
  });
});
