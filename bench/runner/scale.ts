import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WatchLoop } from '../../src/exec/watchdog/watch-loop.js';
import { defaultRunner } from './setup.js';
import { assertAllPassed, runTasks, taskSpec, tempDir } from './tasks.js';

/**
 * Many concurrent tasks that sleep and print a line a second: the runner's memory, event-loop delay and
 * CPU while all of them are running, and the share of that CPU spent in the watch loop (the /proc scan
 * plus every task's watchdog), measured by timing the real loop's tick.
 */

export interface ScaleResult {
  tasks: number;
  /** The measured window, during which every task was running. */
  windowSeconds: number;
  peakRssMB: number;
  /** From the run's start until every task was running: how long that took, and the loop's worst delay. */
  startupSeconds: number;
  startupDelayMaxMs: number;
  startupDelayP99Ms: number;
  /** The same measure in an idle Node process over the same window: what the machine's load alone costs. */
  idleStartupDelayMaxMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Runner process CPU in the window, as a percentage of one core. */
  runnerCpuPct: number;
  runnerCpuPctPer50: number;
  watchLoopCpuPct: number;
  watchLoopCpuPctPer50: number;
  ticks: number;
  meanTickMs: number;
}

/**
 * A line a second until `stopFile` exists (at most 10 minutes), so every task is still running however long
 * the machine takes to start 500 of them. perl ships with Debian and Alpine base images and, unlike `sh`
 * with `sleep`, forks nothing per line.
 */
export function slowPrinter(stopFile: string): string[] {
  return [
    'perl',
    '-e',
    '$| = 1; my $i = 0; until (-e $ARGV[0] || $i >= 600) { print "tick ", ++$i, "\\n"; sleep 1 }',
    stopFile,
  ];
}

/**
 * A separate, idle Node process measuring its own event-loop delay: on a loaded machine the scheduler
 * delays every process, and this says by how much over the same window. Each line on its stdin asks for
 * the worst delay since the previous one.
 */
function idleLoopProbe(): { worstSinceLast(): Promise<number>; stop(): void } {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 }); h.enable();
       process.stdin.on('data', () => { process.stdout.write(h.max / 1e6 + '\\n'); h.reset(); });`,
    ],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    worstSinceLast: async () => {
      child.stdin!.write('\n');
      const next = await answers.next();
      return next.done === true ? Number.NaN : Number(next.value);
    },
    stop: () => child.kill(),
  };
}

interface TickTimer {
  ms: number;
  ticks: number;
}

/**
 * Wraps the watch loop's tick (a private method, so through the prototype) to measure the CPU it uses.
 * CPU time rather than wall time: on a loaded machine a tick may be descheduled halfway through.
 */
function timeWatchLoop(): TickTimer {
  const timer: TickTimer = { ms: 0, ticks: 0 };
  const proto = WatchLoop.prototype as unknown as { tick(this: WatchLoop): void };
  const original = proto.tick;
  proto.tick = function timedTick(this: WatchLoop): void {
    const before = process.cpuUsage();
    original.call(this);
    const used = process.cpuUsage(before);
    timer.ms += (used.user + used.system) / 1000;
    timer.ticks++;
  };
  return timer;
}

interface Snapshot {
  at: number;
  cpu: NodeJS.CpuUsage;
  tickMs: number;
  ticks: number;
}

/** Runs `tasks` slow printers at once and measures `seconds` of steady state once all of them run. */
export async function measureScale(tasks: number, seconds: number): Promise<ScaleResult> {
  const dir = tempDir('scale');
  const stopFile = join(dir, 'stop');
  const runner = defaultRunner(dir);
  const ticks = timeWatchLoop();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const startupDelay = monitorEventLoopDelay({ resolution: 10 });
  const idle = idleLoopProbe();
  const snapshot = (): Snapshot => ({
    at: performance.now(),
    cpu: process.cpuUsage(),
    tickMs: ticks.ms,
    ticks: ticks.ticks,
  });
  const running = new Set<string>();
  let allRunning: () => void = () => {};
  const everyoneRuns = new Promise<void>((resolve) => {
    allRunning = resolve;
  });
  let window: { start: Snapshot; end: Snapshot } | undefined;
  try {
    const specs = Array.from({ length: tasks }, (_, i) => taskSpec(`slow-${i}`, slowPrinter(stopFile)));
    await idle.worstSinceLast();
    const launchedAt = performance.now();
    startupDelay.enable();
    const done = runTasks({
      tasks: specs,
      concurrency: tasks,
      planner: runner.planner,
      executor: runner.executor,
      history: runner.store,
      outDir: join(dir, 'out'),
      reporter: {
        // A task's first status comes from its watchdog, so it is running, not merely planned.
        onTaskStatus: (task) => {
          running.add(task.id);
          if (running.size === tasks) allRunning();
        },
      },
    });
    await Promise.race([everyoneRuns, done]);
    startupDelay.disable();
    const startupSeconds = (performance.now() - launchedAt) / 1000;
    const idleStartupDelayMaxMs = await idle.worstSinceLast();
    await sleep(1000);
    const start = snapshot();
    delay.reset();
    await sleep(seconds * 1000);
    window = { start, end: snapshot() };
    writeFileSync(stopFile, '');
    const report = await done;
    assertAllPassed(report, 'scale');
    if (running.size < tasks)
      throw new Error(`scale: only ${running.size} of ${tasks} tasks ever ran at once`);
    const { start: a, end: b } = window;
    const wallMs = b.at - a.at;
    const cpuMs = (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000;
    const tickMs = b.tickMs - a.tickMs;
    const tickCount = b.ticks - a.ticks;
    const per50 = 50 / tasks;
    return {
      tasks,
      windowSeconds: wallMs / 1000,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      startupSeconds,
      startupDelayMaxMs: startupDelay.max / 1e6,
      startupDelayP99Ms: startupDelay.percentile(99) / 1e6,
      idleStartupDelayMaxMs,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
      runnerCpuPct: (100 * cpuMs) / wallMs,
      runnerCpuPctPer50: (100 * cpuMs * per50) / wallMs,
      watchLoopCpuPct: (100 * tickMs) / wallMs,
      watchLoopCpuPctPer50: (100 * tickMs * per50) / wallMs,
      ticks: tickCount,
      meanTickMs: tickCount === 0 ? 0 : tickMs / tickCount,
    };
  } finally {
    writeFileSync(stopFile, '');
    delay.disable();
    startupDelay.disable();
    idle.stop();
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
