import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Child processes of the runner benchmark: one fresh process per measurement, and the serve process. */

/** Peak resident memory of a live process (VmHWM), in MB; undefined when /proc cannot say. */
export function peakRssMB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU a live process has used so far (utime + stime), in seconds; undefined when /proc cannot say. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), counted from field 3 after the command name; USER_HZ is 100.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

const RESULT = 'RESULT ';

/** Prints a scenario's result for the parent to pick up. */
export function reportResult(value: unknown): void {
  process.stdout.write(`${RESULT}${JSON.stringify(value)}\n`);
}

/**
 * Runs one scenario of child.js in a fresh Node process, so that its peak RSS is its own and no earlier
 * scenario's garbage or JIT state colours it. Progress on stderr passes through.
 */
export function runScenario<T>(scenario: string, options: object, nodeArgs: string[] = []): Promise<T> {
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, scenario, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || line === undefined) {
        reject(new Error(`scenario ${scenario} failed (${code ?? signal}):\n${out.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT.length)) as T);
    });
  });
}

export interface ServeProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `cc-stress serve` (the built CLI) on a free port and waits for its "listening" line. */
export function startServe(logDir: string, nodeArgs: string[] = []): Promise<ServeProcess> {
  const bin = fileURLToPath(new URL('../../../bin/cc-stress', import.meta.url));
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [...nodeArgs, bin, 'serve', '--host', '127.0.0.1', '--port', '0', '--no-history', '--log-dir', logDir],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cc-stress serve did not start within 15 s:\n${err}`));
    }, 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(err);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cc-stress serve exited (${code}) before listening:\n${err}`));
    });
  });
}
