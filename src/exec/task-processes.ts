import type { KillTarget } from './kill-group.js';
import { isLive } from './proc-fs.js';
import type { ProcSampler, TrackedTree } from './proc-sampler.js';
import { groupExists, signalGroup, signalProcess } from './process-group.js';

/** Many tasks stopped at once (Ctrl-C) share /proc scans this recent instead of scanning once each. */
const SHARED_SCAN_MS = 25;

/** The processes of one running task: its group plus descendants that left it, as one signal target. */
export class TaskProcesses implements KillTarget {
  constructor(
    readonly pgid: number,
    private readonly sampler: ProcSampler,
    readonly tree: TrackedTree,
  ) {}

  signal(signal: NodeJS.Signals): void {
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
    const takenAfter = this.sampler.sharedSince(SHARED_SCAN_MS);
    let alive = 0;
    for (const stat of this.sampler.refresh(this.tree, { takenAfter, sweep: true }).values()) {
      if (isLive(stat)) alive++;
    }
    return alive;
  }
}
