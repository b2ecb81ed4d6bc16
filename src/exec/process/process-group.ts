/**
 * Signals to a whole process group. Tasks are spawned detached, so each is the leader of its own group
 * (pgid = pid) and everything it forks stays in that group unless it calls setsid/setpgid.
 */

/** Sends `signal` to every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  return sendSignal(-pgid, signal);
}

/** Sends `signal` to one process; false when it no longer exists. */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  return sendSignal(pid, signal);
}

/** True while any process (zombies included) is still in the group. */
export function groupExists(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

function sendSignal(target: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(target) || target === 0 || target === -1 || Math.abs(target) === 1) {
    // kill(0) and kill(-1) would hit the runner's own group or every process we own: never do that.
    return false;
  }
  try {
    process.kill(target, signal);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else (e.g. a pid reused by another user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
