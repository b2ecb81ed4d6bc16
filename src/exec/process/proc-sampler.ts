import { SMALL_CALL_BYTES } from '../watchdog/progress-rules.js';
import {
  isLive,
  type ProcStat,
  procSupported,
  readEnvVar,
  readIoCounters,
  readProcFile,
  TICK_MS,
} from './proc-fs.js';
import { ProcessTable } from './process-tree.js';
import { hasTag, TASK_TAG_VAR } from './task-tag.js';

/** Work done by a task's processes since the watchdog last asked. */
export interface TreeActivity {
  cpuMs: number;
  /** Every byte read or written. */
  ioBytes: number;
  /**
   * Bytes beyond SMALL_CALL_BYTES per read or write call, per process: what is left once event-loop
   * wake-ups and small polls are taken out. Where the calls are not known, every byte counts.
   */
  usefulIoBytes?: number;
}

/** One task's process tree as the sampler follows it. */
export class TrackedTree {
  /** Processes ever seen in the tree (pid -> start ticks), so escaped daemons stay known. */
  readonly known = new Map<number, number>();
  /** Members found by the latest scan, zombies included. */
  members = new Map<number, ProcStat>();
  private readonly lastCpu = new Map<number, number>();
  private readonly lastIo = new Map<number, number>();
  private readonly lastIoCalls = new Map<number, number>();
  private pendingCpuTicks = 0;
  private pendingIo = 0;
  private pendingUsefulIo = 0;

  constructor(
    readonly pgid: number,
    readonly tag: string,
    /** No process of this task can have started before this many ticks after boot. */
    readonly startFloorTicks: number,
    /**
     * Processes whose I/O says nothing about the task (its container: unshare and the namespace's init),
     * so their io files are never read: two reads fewer per task and tick.
     */
    private readonly ioIgnored: (pid: number, ppid: number) => boolean = () => false,
  ) {}

  takeActivity(): TreeActivity {
    const activity = {
      cpuMs: this.pendingCpuTicks * TICK_MS,
      ioBytes: this.pendingIo,
      usefulIoBytes: this.pendingUsefulIo,
    };
    this.pendingCpuTicks = 0;
    this.pendingIo = 0;
    this.pendingUsefulIo = 0;
    return activity;
  }

  update(members: Map<number, ProcStat>, readIo: boolean): void {
    this.members = members;
    for (const [pid, stat] of members) {
      this.known.set(pid, stat.startTicks);
      this.pendingCpuTicks += growth(this.lastCpu, pid, stat.cpuTicks);
      if (readIo && isLive(stat) && !this.ioIgnored(pid, stat.ppid)) {
        const io = readIoCounters(pid);
        if (io !== undefined) {
          // Counted from the first sighting: what a process read while starting (its libraries, locale
          // files) says nothing about the task, and a shell loop that starts `sleep` or `curl` every few
          // seconds would otherwise look busy.
          const bytes = growth(this.lastIo, pid, io.bytes, false);
          const calls = growth(this.lastIoCalls, pid, io.calls, false);
          this.pendingIo += bytes;
          this.pendingUsefulIo += Math.max(0, bytes - SMALL_CALL_BYTES * calls);
        }
      }
    }
    for (const pid of this.lastCpu.keys()) if (!members.has(pid)) this.lastCpu.delete(pid);
    for (const pid of this.lastIo.keys()) if (!members.has(pid)) this.lastIo.delete(pid);
    for (const pid of this.lastIoCalls.keys()) if (!members.has(pid)) this.lastIoCalls.delete(pid);
    for (const [pid, startTicks] of this.known) {
      const stat = members.get(pid);
      if (!stat || stat.startTicks !== startTicks) this.known.delete(pid);
    }
  }
}

/**
 * A counter's increase since the last reading. A process seen for the first time counts from zero, unless
 * `fromZero` is false, when its first reading is only the baseline.
 */
function growth(last: Map<number, number>, pid: number, value: number, fromZero = true): number {
  const known = last.get(pid);
  last.set(pid, value);
  if (known === undefined && !fromZero) return 0;
  const before = known ?? 0;
  return value > before ? value - before : 0;
}

/** One scan of /proc with every tracked tree's processes found in it. */
interface Snapshot {
  table: ProcessTable;
  at: number;
  members: Map<TrackedTree, Map<number, ProcStat>>;
  /** Which tree each process belongs to, so that one task's sweep never reads another task's processes. */
  owner: Map<number, TrackedTree>;
}

/**
 * One /proc scan per tick for every running task of an executor (300 tasks cost one scan, not 300), and
 * scans shared between tasks while they are being stopped. Elsewhere than Linux it tracks nothing and
 * reports no activity, and the watchdog falls back to output alone.
 */
export class ProcSampler {
  readonly supported = procSupported();
  private readonly trees = new Set<TrackedTree>();
  private snapshot: Snapshot | undefined;
  private lastScanMs = 0;
  private lastScanEndMs = 0;
  private pendingScan: Promise<void> | undefined;
  /** Task tag of each process seen by a sweep, read from its environment once in its lifetime. */
  private readonly tags = new Map<number, { startTicks: number; tag: string | undefined }>();

  track(pgid: number, tag: string, ioIgnored?: (pid: number, ppid: number) => boolean): TrackedTree {
    // Two seconds of slack: process start times and /proc/uptime are read at different moments.
    const floor = this.supported ? Math.max(0, bootTicks() - 200) : 0;
    const tree = new TrackedTree(pgid, tag, floor, ioIgnored);
    this.trees.add(tree);
    return tree;
  }

  untrack(tree: TrackedTree): void {
    this.trees.delete(tree);
  }

  /** The periodic scan: membership, CPU and I/O growth of every tracked tree. */
  sample(): void {
    if (!this.supported || this.trees.size === 0) return;
    const snapshot = this.scan(performance.now());
    for (const tree of this.trees) tree.update(this.membersOf(tree, snapshot), true);
  }

  /**
   * A recent look at one tree, used while stopping it. `takenAfter` (monotonic ms) says how old the scan
   * may be, so that many trees being stopped at once share one; `sweep` also looks for processes carrying
   * the tree's tag that no ppid link leads to (a daemon that forked, called setsid and lost its parent
   * between two scans).
   */
  refresh(tree: TrackedTree, options: { takenAfter: number; sweep?: boolean }): Map<number, ProcStat> {
    if (!this.supported) return new Map();
    const snapshot = this.scan(options.takenAfter);
    let members = this.membersOf(tree, snapshot);
    if (options.sweep && this.adoptTagged(tree, snapshot)) {
      members = snapshot.table.treeOf(tree.pgid, tree.known);
      snapshot.members.set(tree, members);
      for (const pid of members.keys()) snapshot.owner.set(pid, tree);
    }
    tree.update(members, false);
    return members;
  }

  private membersOf(tree: TrackedTree, snapshot: Snapshot): Map<number, ProcStat> {
    let members = snapshot.members.get(tree);
    if (!members) {
      // Tracked after the scan was taken.
      members = snapshot.table.treeOf(tree.pgid, tree.known);
      snapshot.members.set(tree, members);
      for (const pid of members.keys()) snapshot.owner.set(pid, tree);
    }
    return members;
  }

  /** Adds tagged processes nobody owns to the tree's known processes; true when it found any. */
  private adoptTagged(tree: TrackedTree, snapshot: Snapshot): boolean {
    let found = false;
    for (const stat of snapshot.table.byPid.values()) {
      if (snapshot.owner.has(stat.pid) || stat.pid === process.pid || !isLive(stat)) continue;
      if (stat.startTicks < tree.startFloorTicks) continue;
      let seen = this.tags.get(stat.pid);
      if (seen?.startTicks !== stat.startTicks) {
        seen = { startTicks: stat.startTicks, tag: readEnvVar(stat.pid, TASK_TAG_VAR) };
        this.tags.set(stat.pid, seen);
      }
      if (hasTag(seen.tag, tree.tag)) {
        tree.known.set(stat.pid, stat.startTicks);
        found = true;
      }
    }
    return found;
  }

  /**
   * Resolves once a scan taken at or after `at` (monotonic ms) exists. Every task that ended meanwhile
   * waits for the same scan, which is put off while scans are expensive so that they never take more than
   * about a fifth of the runner's time, however many tasks end.
   */
  scanAfter(at: number): Promise<void> {
    if (!this.supported || (this.snapshot && this.snapshot.at >= at)) return Promise.resolve();
    if (this.pendingScan !== undefined) return this.pendingScan.then(() => this.scanAfter(at));
    const delay = this.lastScanEndMs + 4 * this.lastScanMs - performance.now();
    // Cheap scans wait only for the exits that arrive in this same event-loop turn; the caller's own
    // look at /proc then scans once for all of them.
    if (delay < 1) return new Promise((resolve) => setImmediate(resolve));
    this.pendingScan = new Promise((resolve) => {
      setTimeout(() => {
        this.pendingScan = undefined;
        this.scan(performance.now());
        resolve();
      }, delay);
    });
    return this.pendingScan;
  }

  /**
   * The oldest scan worth sharing right now: at least `minMs`, and longer when scans are slow (hundreds of
   * tasks on a busy machine), so that scanning never takes more than about a fifth of the runner's time.
   */
  sharedSince(minMs: number): number {
    return performance.now() - Math.max(minMs, 4 * this.lastScanMs);
  }

  private scan(takenAfter: number): Snapshot {
    if (this.snapshot && this.snapshot.at >= takenAfter) return this.snapshot;
    const at = performance.now();
    const table = ProcessTable.scan();
    const snapshot: Snapshot = { table, at, members: new Map(), owner: new Map() };
    for (const tree of this.trees) this.membersOf(tree, snapshot);
    for (const pid of this.tags.keys()) if (!table.byPid.has(pid)) this.tags.delete(pid);
    this.snapshot = snapshot;
    this.lastScanEndMs = performance.now();
    this.lastScanMs = this.lastScanEndMs - at;
    return snapshot;
  }
}

function bootTicks(): number {
  const uptimeSeconds = Number(readProcFile('/proc/uptime')?.split(' ')[0]);
  return Number.isFinite(uptimeSeconds) ? Math.floor((uptimeSeconds * 1000) / TICK_MS) : 0;
}
