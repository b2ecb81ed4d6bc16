import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggedRequest } from '../fake-api/server.js';
import { homesDir } from './cli-env.js';
import { inNewNetworkNamespace } from './netns.js';
import { REAL_CLI_DIR, TSX_LOADER } from './paths.js';
import { type ChildSpec, childFiles } from './spec.js';

export interface HarnessReady {
  harnessPid: number;
  runnerPid: number;
  /** The fake APIs' base URL, http://127.0.0.1:PORT inside the namespace. */
  url: string;
  /** The namespaced harness's network namespace (e.g. "net:[4026532705]"). */
  netns: string;
}

export interface NamespacedRun {
  workDir: string;
  /** The unshare process; its exit code is cc-stress's. */
  child: ChildProcess;
  /** Resolves once the fake APIs listen and cc-stress was spawned; rejects when the namespace could not be made. */
  ready: Promise<HarnessReady>;
  /** Resolves when the namespaced harness has exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export interface RunOptions {
  apis: string[];
  args: string[];
  timeScale?: number;
  env?: Record<string, string>;
  workDir?: string;
}

export function newWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'cc-stress-real-cli-'));
}

/**
 * Starts the fake APIs and `cc-stress <args>` together in one new loopback-only network namespace. Where
 * no namespace can be made (no root, no unshare) `ready` rejects with unshare's own words: the test fails,
 * it is never skipped, because passing without the real CLIs would prove nothing.
 */
export function runInNamespace(options: RunOptions): NamespacedRun {
  const workDir = options.workDir ?? newWorkDir();
  const files = childFiles(workDir);
  const spec: ChildSpec = {
    workDir,
    apis: options.apis,
    args: options.args,
    timeScale: options.timeScale ?? 1,
    env: options.env ?? {},
  };
  writeFileSync(files.spec, JSON.stringify(spec));
  const { file, args } = inNewNetworkNamespace([
    process.execPath,
    '--import',
    TSX_LOADER,
    join(REAL_CLI_DIR, 'harness', 'child.ts'),
    files.spec,
  ]);
  const child = spawn(file, args, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise<HarnessReady>((resolve, reject) => {
    const poll = setInterval(() => {
      if (existsSync(files.ready)) {
        clearInterval(poll);
        resolve(JSON.parse(readFileSync(files.ready, 'utf8')));
      }
    }, 50);
    done.then(
      (result) => {
        clearInterval(poll);
        if (existsSync(files.ready)) resolve(JSON.parse(readFileSync(files.ready, 'utf8')));
        else
          reject(
            new Error(
              `could not run in a loopback-only network namespace (exit ${result.code}): ${result.stderr.trim()}`,
            ),
          );
      },
      (error: Error) => {
        clearInterval(poll);
        reject(new Error(`could not start unshare for a loopback-only network namespace: ${error.message}`));
      },
    );
  });
  ready.catch(() => {});
  return { workDir, child, ready, done };
}

/** The requests the fake APIs saw during the run. */
export function loggedRequests(workDir: string): LoggedRequest[] {
  const file = childFiles(workDir).requests;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LoggedRequest);
}

/**
 * Live processes of the real CLIs of this run, and anything they started: the wrappers give each CLI a
 * HOME under this run's homes folder, and every descendant inherits it whatever it exec'd into.
 */
export function realCliProcesses(workDir: string): number[] {
  const marker = `\0HOME=${homesDir(workDir)}/`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (`\0${environ}`.includes(marker) && isAlive(entry)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** A process's command line with spaces for NULs, or '' once it is gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Hygiene after a test's assertions: SIGKILL every CLI process of the run and the namespaced child. */
export function killRun(run: NamespacedRun): void {
  for (const pid of realCliProcesses(run.workDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  run.child.kill('SIGKILL');
}

function isAlive(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
