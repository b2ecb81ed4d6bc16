import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';

/** What /proc/PID/stat says about one process, reduced to what the watchdog and the reaper need. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z, T, ... ; 'Z' is a zombie waiting for its parent, which no signal can affect. */
  state: string;
  /** utime + stime + cutime + cstime in clock ticks: work done by the process and its reaped children. */
  cpuTicks: number;
  /** Start time in clock ticks since boot; with the pid it names a process even across pid reuse. */
  startTicks: number;
}

let supported: boolean | undefined;

/**
 * One buffer for every /proc read. readFileSync would allocate a fresh 16-64 KiB buffer per file (procfs
 * reports size 0), which for a scan of hundreds of processes a few times a second is megabytes of garbage
 * per second and twice the time.
 */
let readBuffer = Buffer.allocUnsafeSlow(16 * 1024);

/** The text of a small /proc file; undefined when it is gone or unreadable. */
export function readProcFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const read = readSync(fd, readBuffer, length, readBuffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === readBuffer.length) {
        const grown = Buffer.allocUnsafeSlow(readBuffer.length * 2);
        readBuffer.copy(grown);
        readBuffer = grown;
      }
    }
    return readBuffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** True where /proc exposes per-process stat and io files (Linux). */
export function procSupported(): boolean {
  if (supported === undefined) {
    supported = process.platform === 'linux' && existsSync('/proc/self/stat') && existsSync('/proc/self/io');
  }
  return supported;
}

/** Linux reports CPU times in USER_HZ ticks, which is 100 on every architecture Node runs on. */
export const TICK_MS = 10;

export function listPids(): number[] {
  const pids: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) pids.push(Number(name));
  }
  return pids;
}

/** Parses /proc/PID/stat; undefined when the process is gone or the file is unreadable. */
export function readStat(pid: number): ProcStat | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(pid, text);
}

export function parseStat(pid: number, text: string): ProcStat | undefined {
  // The command name may contain spaces and parentheses, so fields are counted from the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5).
  const num = (field: number): number => Number(fields[field - 3]);
  const state = fields[0];
  if (state === undefined || fields.length < 20) return undefined;
  return {
    pid,
    ppid: num(4),
    pgid: num(5),
    state,
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    startTicks: num(22),
  };
}

/** Read and write counters of one process from /proc/PID/io. */
export interface IoCounters {
  /** Bytes read and written through read/write-family calls (files, pipes, ttys): rchar + wchar. */
  bytes: number;
  /** How many such calls: syscr + syscw. */
  calls: number;
}

/**
 * Note that sockets read with recv/recvfrom and written with send/sendto (as Bun-built CLIs such as
 * `claude` do) are counted in neither: network traffic shows only where a program uses read and write.
 */
export function readIoCounters(pid: number): IoCounters | undefined {
  const text = readProcFile(`/proc/${pid}/io`);
  if (text === undefined) return undefined;
  return parseIo(text);
}

const IO_FIELDS = {
  rchar: /^rchar:\s*(\d+)/m,
  wchar: /^wchar:\s*(\d+)/m,
  syscr: /^syscr:\s*(\d+)/m,
  syscw: /^syscw:\s*(\d+)/m,
};

export function parseIo(text: string): IoCounters | undefined {
  const field = (name: keyof typeof IO_FIELDS): number | undefined => {
    const match = IO_FIELDS[name].exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const rchar = field('rchar');
  const wchar = field('wchar');
  if (rchar === undefined || wchar === undefined) return undefined;
  return { bytes: rchar + wchar, calls: (field('syscr') ?? 0) + (field('syscw') ?? 0) };
}

/** The value of one environment variable of another process; undefined when unreadable or unset. */
export function readEnvVar(pid: number, name: string): string | undefined {
  const text = readProcFile(`/proc/${pid}/environ`);
  if (text === undefined) return undefined;
  const prefix = `${name}=`;
  for (const entry of text.split('\0')) {
    if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  }
  return undefined;
}

/** A full snapshot of the process table; one readdir plus one small read per process. */
export function snapshotProcesses(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const pid of listPids()) {
    const stat = readStat(pid);
    if (stat) table.set(pid, stat);
  }
  return table;
}

export function isLive(stat: ProcStat | undefined): stat is ProcStat {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}
