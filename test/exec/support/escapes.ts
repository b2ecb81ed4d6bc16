import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

let counter = 0;
/** `sleep 600.<digits>`: an argument no other process has, found in /proc/PID/cmdline even with env -i. */
export function newMarker(): string {
  counter++;
  return `600.${process.pid}${counter}${Math.floor(Math.random() * 1e6)}`;
}

/** Live processes whose command line carries the marker. */
export function withMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
      if (args.includes(marker) && state !== 'Z') found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Polls until no process carries the marker; returns what is left at the deadline. */
export async function survivorsOf(marker: string, withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = withMarker(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

/**
 * Ways a task can leave a process behind that the process group and the environment tag cannot see:
 * each ends in `sleep <marker>` in a session of its own with an empty environment.
 */
export const ESCAPES: Record<string, (marker: string) => string> = {
  'setsid env -i sleep &': (m) => `setsid env -i sleep ${m} &`,
  'a double fork through setsid env -i sh -c': (m) =>
    `setsid env -i sh -c '(sleep ${m} > /dev/null 2>&1 &); exit 0' &`,
  'setsid -f env -i': (m) => `setsid -f env -i sleep ${m} > /dev/null 2>&1`,
  'setsid() and execve with an empty environment (perl)': (m) =>
    `perl -e 'exit 0 if fork; require POSIX; POSIX::setsid(); %ENV = (); exec { "sleep" } "sleep", "${m}"' > /dev/null 2>&1`,
};

/** Waits inside the task until the escaped process runs, so the test never races its start. */
export function escapeThen(command: string, marker: string, then: string): string {
  // Anchored, so that neither this shell's own command line nor pgrep's matches.
  const pattern = `^sleep ${marker.replace('.', '[.]')}$`;
  return `${command}\nuntil pgrep -f '${pattern}' > /dev/null; do sleep 0.05; done\necho escaped\n${then}`;
}
