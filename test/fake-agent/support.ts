import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FAKE_AGENT_BIN = fileURLToPath(new URL('../../bin/cc-stress-fake-agent', import.meta.url));
const COMPILED = fileURLToPath(new URL('../../dist/fake-agent/cli.js', import.meta.url));

export interface Line {
  stream: 'stdout' | 'stderr';
  text: string;
  atMs: number;
}

export interface FakeAgentRun {
  pid: number;
  lines: Line[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** stdout lines parsed as JSON (non-JSON lines are skipped). */
  events: Array<Record<string, unknown>>;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Called on every complete line; may signal the process. */
  onLine?(line: Line, child: { pid: number; kill(signal: NodeJS.Signals): void }): void;
  /** Kill the whole process group with SIGKILL after this long (a safety net for hanging modes). */
  killAfterMs?: number;
}

/** Runs the compiled fake agent in its own process group and collects its output with timestamps. */
export function runFakeAgent(args: string[], options: RunOptions = {}): Promise<FakeAgentRun> {
  if (!existsSync(COMPILED)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` first');
  const started = performance.now();
  const child = spawn(process.execPath, [FAKE_AGENT_BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAKE_AGENT_OPTS: '', ...options.env },
  });
  const pid = child.pid!;
  const lines: Line[] = [];
  const raw = { stdout: '', stderr: '' };
  const handle = { pid, kill: (signal: NodeJS.Signals) => child.kill(signal) };
  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk: string) => {
      raw[stream] += chunk;
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = { stream, text: pending.slice(0, newline), atMs: performance.now() - started };
        pending = pending.slice(newline + 1);
        lines.push(line);
        options.onLine?.(line, handle);
        newline = pending.indexOf('\n');
      }
    });
  }
  const safety =
    options.killAfterMs === undefined ? undefined : setTimeout(() => killGroup(pid), options.killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(safety);
      const events = lines.flatMap((line) => {
        if (line.stream !== 'stdout') return [];
        try {
          return [JSON.parse(line.text) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      resolve({
        pid,
        lines,
        stdout: raw.stdout,
        stderr: raw.stderr,
        exitCode,
        signal,
        durationMs: performance.now() - started,
        events,
      });
    });
  });
}

export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Claude's stream-json flags, the way suites call it. */
export const claudeStream = (...fake: string[]): string[] => [
  '-p',
  'write a haiku',
  '--output-format',
  'stream-json',
  '--verbose',
  ...fake,
];

export const eventKind = (event: Record<string, unknown>): string =>
  typeof event.subtype === 'string' && event.type === 'system'
    ? `system/${event.subtype}`
    : String(event.type);

/** CPU time (user + system, in clock ticks) a process has used so far; undefined once it is gone. */
export function cpuTicks(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Resolves with the CPU ticks a process burned after this call, as soon as they reach `ticks` or after
 * `timeoutMs`. Polling until a threshold keeps the test fast on an idle machine and honest on a loaded one.
 */
export async function cpuBurnedWithin(pid: number, ticks: number, timeoutMs: number): Promise<number> {
  const start = cpuTicks(pid) ?? 0;
  const deadline = performance.now() + timeoutMs;
  let burned = 0;
  while (performance.now() < deadline) {
    const now = cpuTicks(pid);
    if (now === undefined) break;
    burned = now - start;
    if (burned >= ticks) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return burned;
}

/** Runs `then` once, on the first stdout line containing `text`. */
export function onFirstLine(
  text: string,
  then: (line: Line, child: { pid: number; kill(signal: NodeJS.Signals): void }) => void,
): NonNullable<RunOptions['onLine']> {
  let done = false;
  return (line, child) => {
    if (done || line.stream !== 'stdout' || !line.text.includes(text)) return;
    done = true;
    then(line, child);
  };
}
