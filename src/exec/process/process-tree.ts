import { type ProcStat, snapshotProcesses } from './proc-fs.js';

/** One scan of /proc, indexed so that every task's tree can be found without another scan. */
export class ProcessTable {
  readonly children = new Map<number, number[]>();
  readonly groups = new Map<number, number[]>();

  constructor(readonly byPid: Map<number, ProcStat>) {
    for (const stat of byPid.values()) {
      push(this.children, stat.ppid, stat.pid);
      push(this.groups, stat.pgid, stat.pid);
    }
  }

  static scan(): ProcessTable {
    return new ProcessTable(snapshotProcesses());
  }

  /**
   * The processes of one task: its process group, everything descended from it through ppid links, and
   * processes seen before (`known`, pid -> start time) that are still there, which catches daemons that left
   * the group with setsid and were reparented to init after their parent exited.
   */
  treeOf(pgid: number, known: ReadonlyMap<number, number>): Map<number, ProcStat> {
    const found = new Map<number, ProcStat>();
    const queue: number[] = [...(this.groups.get(pgid) ?? [])];
    for (const [pid, startTicks] of known) {
      if (this.byPid.get(pid)?.startTicks === startTicks) queue.push(pid);
    }
    while (queue.length > 0) {
      const pid = queue.pop()!;
      if (found.has(pid)) continue;
      const stat = this.byPid.get(pid);
      if (!stat) continue;
      found.set(pid, stat);
      for (const child of this.children.get(pid) ?? []) queue.push(child);
    }
    return found;
  }
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
