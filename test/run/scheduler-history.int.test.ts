import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';
import { LocalExecutor } from '../../src/exec/local/local-executor.js';
import { MemoryHistoryStore } from '../../src/history/memory-store.js';
import type { RunRecord } from '../../src/history/types.js';
import { runSuite } from '../../src/run/index.js';
import { loadSuite } from '../../src/suite/index.js';
import { LearnedTimeoutPlanner } from '../../src/timeouts/learned-planner.js';
import { OutageStore } from '../helpers/outage-store.js';

describe('the runner and the planner', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('tells the planner of every run it records, so that plans made while reads fail still count them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc-stress-scheduler-'));
    const suitePath = join(dir, 'suite.yaml');
    writeFileSync(suitePath, 'name: observe\ntasks:\n  - id: quick\n    command: "true"\n    repeat: 3\n');
    const suite = loadSuite(suitePath);
    const config = configSchema.parse({});
    const inner = new MemoryHistoryStore({ maxRunsPerClass: 100 });
    const store = new OutageStore(inner);
    const planner = new LearnedTimeoutPlanner({ store, config, lookupTimeoutMs: 50 });
    const seen: RunRecord[] = [];
    const observe = planner.observe.bind(planner);
    planner.observe = (keys, record) => {
      seen.push(record);
      observe(keys, record);
    };
    const executor = new LocalExecutor({ graceMs: 1000, headBytes: 1024, tailBytes: 1024 });
    try {
      await runSuite({
        suite,
        tasks: suite.tasks,
        concurrency: 1,
        target: 1,
        outDir: join(dir, 'out'),
        planner,
        executors: [executor],
        reporter: {},
        history: store,
        version: 'test',
      });
    } finally {
      await executor.close?.();
    }
    const task = suite.tasks[0]!;
    const recorded = await inner.recent((await planner.plan(task)).classKey!, 100);
    expect(recorded).toHaveLength(3);
    expect(seen.map((r) => r.runId).sort()).toEqual(recorded.map((r) => r.runId).sort());
    // The store stops answering reads: the plan is made from the runs the planner heard of.
    store.state = 'error';
    const plan = await planner.plan(task);
    expect(plan.maxSource.detail).toContain('history could not be read');
    const healthy = await new LearnedTimeoutPlanner({ store: inner, config }).plan(task);
    expect(plan.maxMs).toBeGreaterThanOrEqual(healthy.maxMs);
    expect(plan.stallMs).toBeGreaterThanOrEqual(healthy.stallMs);
  });
});
