import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { procSupported } from '../../../src/exec/process/proc-fs.js';
import { eventually } from '../../helpers/eventually.js';
import {
  executor,
  liveMarked,
  markedProcesses,
  newMark,
  plan,
  scratchDir,
  shell,
  zombieChildren,
} from '../support/local-tasks.js';

const dir = scratchDir();
const local = executor({ graceMs: 400 });
afterAll(() => local.close());

/** Polls until nothing carrying the mark runs any more; returns what is still there at the deadline. */
async function survivors(mark: string, withinMs = 1000) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const live = liveMarked(mark);
    if (live.length === 0 || Date.now() > deadline) return live;
    await sleep(50);
  }
}

describe.runIf(procSupported())('killing a task kills everything it started', () => {
  it('kills a grandchild that ignores SIGTERM, leaving no process and no zombie of ours', async () => {
    const mark = newMark();
    const script = `sh -c 'trap "" TERM; echo grandchild up; while :; do sleep 1; done' & wait`;
    const running = local.run(shell(dir, script, { mark, plan: plan({ stallMs: 800 }) }));
    // The task's shell, the grandchild shell and its sleep, seen before the stall limit ends them.
    await eventually(() => liveMarked(mark).length >= 3, 'three processes of the task up');
    const result = await running;
    expect(result.termination).toBe('stall');
    expect(result.detail).toContain('SIGKILL after 0.4s because SIGTERM was not enough');
    expect(result.outputHead).toBe('grandchild up\n');
    // Checked at once, not polled: the executor only returns once the group is confirmed gone.
    expect(liveMarked(mark)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  });

  it('kills a daemon that left the process group with setsid and lost its parent', async () => {
    const mark = newMark();
    const script = `(setsid sh -c 'trap "" TERM; while :; do sleep 1; done' &); echo forked; sleep 30`;
    let taskPid = 0;
    const running = local.run(shell(dir, script, { mark, plan: plan({ stallMs: 800 }) }), {
      onStart: (task) => {
        taskPid = task.pid ?? 0;
      },
    });
    // The daemon leads a session of its own; the task's own processes do not (only its leader may).
    const isDaemon = (p: { pid: number; sid: number; command: string }) =>
      p.command === 'sh' && p.sid === p.pid && p.pid !== taskPid;
    await eventually(() => markedProcesses(mark).some(isDaemon), 'the daemon up');
    expect(markedProcesses(mark).filter(isDaemon)).toHaveLength(1);
    const result = await running;
    expect(result.termination).toBe('stall');
    expect(liveMarked(mark)).toEqual([]);
  });

  it('stops a daemon that escaped even when the task exits at once', async () => {
    const mark = newMark();
    const result = await local.run(
      shell(dir, `(setsid sleep 30 &); (setsid sh -c 'sleep 30' > /dev/null 2>&1 &); echo gone`, { mark }),
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    // How many of the two daemons are up at the task's exit depends on scheduling; what matters is that
    // the leftovers are named and none survives.
    expect(result.detail).toMatch(/^the task exited but left [1-9] process(es)? behind: .*; stopped them/);
    expect(result.failures[0]).toMatch(/^left [1-9] process(es)? behind: \w+ \(pid \d+\)/);
    expect(await survivors(mark, 0)).toEqual([]);
  });

  it('stops background processes still holding the output pipe when the task exits', async () => {
    const mark = newMark();
    const started = Date.now();
    const result = await local.run(shell(dir, 'sleep 30 & echo main done', { mark }));
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(result.outputHead).toBe('main done\n');
    // Named sh when the backgrounded subshell had not yet run exec sleep at the task's exit.
    expect(result.failures).toEqual([
      expect.stringMatching(/^left 1 process behind: (sleep|sh) \(pid \d+\)$/),
    ]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(liveMarked(mark)).toEqual([]);
  });

  it('kills a paused task when it is cancelled', async () => {
    const mark = newMark();
    const controller = new AbortController();
    const result = await local.run(shell(dir, 'sleep 30', { mark, signal: controller.signal }), {
      onStart: (task) => {
        task.pause();
        setTimeout(() => controller.abort(), 200);
      },
    });
    expect(result.termination).toBe('cancelled');
    expect(liveMarked(mark)).toEqual([]);
  });

  it('cancels every running task on close()', async () => {
    const own = executor();
    const marks = [newMark(), newMark(), newMark()];
    const runs = marks.map((mark) => own.run(shell(dir, 'sleep 30', { mark })));
    await eventually(() => marks.every((mark) => liveMarked(mark).length > 0), 'every task up');
    await own.close();
    const results = await Promise.all(runs);
    expect(results.map((r) => r.termination)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    for (const mark of marks) expect(liveMarked(mark)).toEqual([]);
  });
});
