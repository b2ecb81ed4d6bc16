import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { TASK_TAG_VAR } from './task-tag.js';

/**
 * Runs in a small process of its own and outlives the runner only long enough to stop its tasks. The
 * runner holds the write end of the guardian's stdin; when the runner dies in any way, SIGKILL included,
 * the kernel closes it and the guardian sees end-of-file. It then stops every registered process group and
 * every process carrying one of the runner's task tags (found through /proc, which catches daemons), first
 * with SIGTERM and after the grace period with SIGKILL, and leaves as soon as none is left.
 */
const GUARDIAN_SCRIPT = `
const fs = require('node:fs');
const [token, graceArg, tagVar] = process.argv.slice(1);
const graceMs = Number(graceArg);
const groups = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
function tagged() {
  const pids = [];
  let names = [];
  try { names = fs.readdirSync('/proc'); } catch { return pids; }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let env;
    try { env = fs.readFileSync('/proc/' + pid + '/environ', 'latin1'); } catch { continue; }
    for (const entry of env.split('\\0')) {
      if (entry.startsWith(tagVar + '=') && entry.slice(tagVar.length + 1).split(' ').some((t) => t.startsWith(token + '.'))) {
        pids.push(pid);
      }
    }
  }
  return pids;
}
function signalAll(signal) {
  let reached = 0;
  for (const pgid of groups) { try { process.kill(-pgid, signal); reached++; } catch {} }
  for (const pid of tagged()) { try { process.kill(pid, signal); reached++; } catch {} }
  return reached;
}
let reaping = false;
function reap() {
  if (reaping) return;
  reaping = true;
  // A runner that ended normally left nothing: go at once rather than linger through the grace period.
  if (signalAll('SIGTERM') === 0) process.exit(0);
  signalAll('SIGCONT');
  const deadline = Date.now() + graceMs;
  const look = () => {
    if (Date.now() >= deadline) { signalAll('SIGKILL'); process.exit(0); }
    if (signalAll(0) === 0) process.exit(0);
    setTimeout(look, Math.min(250, Math.max(1, deadline - Date.now())));
  };
  setTimeout(look, Math.min(250, graceMs));
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (data) => {
  buffer += data;
  for (let i = buffer.indexOf('\\n'); i >= 0; i = buffer.indexOf('\\n')) {
    const line = buffer.slice(0, i);
    buffer = buffer.slice(i + 1);
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

/**
 * Registrations wait this long to go out together. Each write wakes the guardian, which on a busy machine
 * costs the runner about a millisecond per task; a task that ends within the window costs no write at all.
 * Until its group is registered, a task is still found by its tag should the runner die.
 */
const BATCH_MS = 50;

/** Makes a runner's tasks die with it, even when the runner is killed with SIGKILL. */
export class TaskGuardian {
  /** Unsent registrations, in order: `+pgid` or `-pgid`. */
  private pending: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly stdin: Socket,
  ) {}

  /** Undefined when the guardian cannot be started; tasks then only die with a runner that exits normally. */
  static start(runnerToken: string, graceMs: number): TaskGuardian | undefined {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', GUARDIAN_SCRIPT, runnerToken, String(graceMs), TASK_TAG_VAR], {
        // Its own session: a signal to the runner's process group (Ctrl-C, a CI job cancel) must not take
        // the guardian down before it has done its job.
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch {
      return undefined;
    }
    const stdin = child.stdin as Socket | null;
    if (!stdin || child.pid === undefined) return undefined;
    child.on('error', () => {});
    stdin.on('error', () => {});
    // The guardian must never keep the runner alive.
    child.unref();
    stdin.unref();
    return new TaskGuardian(child, stdin);
  }

  watch(pgid: number): void {
    this.send(`+${pgid}`);
  }

  unwatch(pgid: number): void {
    // A group that ends before its registration went out never needs to be sent.
    const unsent = this.pending.lastIndexOf(`+${pgid}`);
    if (unsent >= 0 && !this.pending.includes(`-${pgid}`, unsent)) this.pending.splice(unsent, 1);
    else this.send(`-${pgid}`);
  }

  /** Lets the guardian go; whatever is still registered is stopped by it, like on a runner crash. */
  close(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.stdin.destroyed) this.stdin.end(this.text());
    this.child.unref();
  }

  /** Messages of a batch window go out in one write: a busy start of 300 tasks is one syscall. */
  private send(line: string): void {
    this.pending.push(line);
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const text = this.text();
      if (text !== '' && !this.stdin.destroyed && this.stdin.writable) this.stdin.write(text);
    }, BATCH_MS);
    this.flushTimer.unref();
  }

  private text(): string {
    const text = this.pending.map((line) => `${line}\n`).join('');
    this.pending = [];
    return text;
  }
}
