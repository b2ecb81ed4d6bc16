import type { KillTarget } from './kill-group.js';
import { isLive, type ProcStat, readProcFile } from './proc-fs.js';
import type { ProcSampler, TrackedTree } from './proc-sampler.js';
import { groupExists, signalGroup, signalProcess } from './process-group.js';

/** Many tasks stopped at once (Ctrl-C) share /proc scans this recent instead of scanning once each. */
const SHARED_SCAN_MS = 25;

/** The processes of one running task: its group plus descendants that left it, as one signal target. */
export class TaskProcesses implements KillTarget {
  private signalledAt = 0;

  constructor(
    readonly pgid: number,
    private readonly sampler: ProcSampler,
    readonly tree: TrackedTree,
    /** The container's own processes (unshare, the namespace's init) are not the task's. */
    private readonly isContainer: (pid: number, ppid: number) => boolean = () => false,
  ) {}

  signal(signal: NodeJS.Signals): void {
    this.signalledAt = performance.now();
    signalGroup(this.pgid, signal);
    if (!this.sampler.supported) return;
    // Processes that left the group are signalled one by one, and so are the groups they created (a
    // daemon's group catches the children it forks between our scan and the signal). Every such group
    // belongs to a session the task created, so no unrelated process can be in it. Pids come from a scan
    // that checks start times, so a reused pid never receives a stray signal.
    const takenAfter = this.sampler.sharedSince(SHARED_SCAN_MS);
    const groups = new Set<number>();
    for (const stat of this.sampler.refresh(this.tree, { takenAfter, sweep: true }).values()) {
      if (stat.pgid === this.pgid || !isLive(stat)) continue;
      signalProcess(stat.pid, signal);
      groups.add(stat.pgid);
    }
    for (const group of groups) signalGroup(group, signal);
  }

  survivors(): number {
    if (!this.sampler.supported) return groupExists(this.pgid) ? 1 : 0;
    // A scan from before the last signal would miss whatever was forked meanwhile and could report
    // "all gone" while a fresh process lives on.
    return this.alive(Math.max(this.sampler.sharedSince(SHARED_SCAN_MS), this.signalledAt)).length;
  }

  /** The task's processes alive in a scan taken after `takenAfter` (monotonic ms), container excluded. */
  alive(takenAfter: number): ProcStat[] {
    const members = this.sampler.refresh(this.tree, { takenAfter, sweep: true }).values();
    return [...members].filter((stat) => isLive(stat) && !this.isContainer(stat.pid, stat.ppid));
  }
}

/** `sleep (pid 123)`: a process as a user can find it with ps. */
export function describeProcess(pid: number): string {
  const name = readProcFile(`/proc/${pid}/comm`)?.trim();
  return `${name || 'unknown'} (pid ${pid})`;
}
