import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readStat } from '../exec/process/proc-fs.js';
import { UsageError } from './errors.js';

/** Held in the report folder while a run writes there; a second run into the same folder is refused. */
export const LOCK_FILE = '.cc-stress.lock';

export interface OutDirLock {
  release(): void;
}

/**
 * Makes sure `dir` is a folder this run can write, before any task starts, and takes its lock. A lock
 * whose run is gone (its pid no longer runs, or runs another program since) is taken over.
 */
export function claimOutDir(dir: string): OutDirLock {
  const problem = (what: string): UsageError =>
    new UsageError(`--out ${dir}: ${what}; choose a folder this user can write`);
  makeFolders(dir, problem);
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'EEXIST') throw problem(`cannot write in it (${code})`);
      const holder = lockHolder(path);
      if (holder !== undefined) {
        throw new UsageError(
          `--out ${dir}: another run (pid ${holder}) is writing its reports there; wait for it or choose another folder`,
        );
      }
      // Stale: its run died without releasing it.
      try {
        unlinkSync(path);
      } catch {
        // Another run took it over first; the next attempt finds out whose it is.
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid} ${startTicks(process.pid) ?? ''}\n`);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw problem(`cannot write in it (${errorCode(error)})`);
    }
    closeSync(fd);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    };
    // process.exit() (a second Ctrl-C) skips finally blocks but not 'exit' listeners.
    process.on('exit', release);
    return { release };
  }
  throw new UsageError(`--out ${dir}: another run keeps taking its lock (${path}); choose another folder`);
}

/**
 * Creates `dir` and its missing parents one at a time. Node's recursive mkdir retries forever where a
 * folder cannot be created although its parent exists (`/proc/self/x`), which froze the runner.
 */
function makeFolders(dir: string, problem: (what: string) => UsageError): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const kind = kindOf(at);
    if (kind === 'folder') break;
    if (kind === 'other') {
      throw problem(at === resolve(dir) ? 'not a folder' : `${at} is not a folder`);
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST' && kindOf(folder) === 'folder') continue;
      throw problem(`cannot create ${folder === resolve(dir) ? 'the folder' : folder} (${code})`);
    }
  }
}

function kindOf(path: string): 'folder' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'other';
  }
}

/** The pid of a live run holding the lock, or undefined when the lock is stale. */
function lockHolder(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, ticksText] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  // The same pid with another start time is a different process that reused the number.
  const recorded = Number(ticksText);
  const now = startTicks(pid);
  if (ticksText && Number.isFinite(recorded) && now !== undefined && now !== recorded) return undefined;
  return pid;
}

function startTicks(pid: number): number | undefined {
  return readStat(pid)?.startTicks;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
