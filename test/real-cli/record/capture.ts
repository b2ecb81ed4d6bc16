import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

export interface Capture {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /** The recorder stopped it at the cut-off (a dead stream is waited on for many minutes). */
  stoppedByRecorder: boolean;
  seconds: number;
}

/**
 * Runs one CLI to its end, or stops its process group `cutOffMs` after its first line (Gemini CLI's first
 * process ignores SIGTERM, only its relaunched child obeys), and keeps what it printed.
 */
export async function captureCli(
  argv: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; cutOffMs: number },
): Promise<Capture> {
  const child = spawn(argv[0] ?? '', argv.slice(1), {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let cutOff: NodeJS.Timeout | undefined;
  let stoppedByRecorder = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    cutOff ??= setTimeout(() => {
      stoppedByRecorder = true;
      stopGroup(child.pid);
    }, options.cutOffMs);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = Date.now();
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(cutOff);
  return { stdout, stderr, exitCode, signal, stoppedByRecorder, seconds: (Date.now() - started) / 1000 };
}

/** Writes `<base>.jsonl` and, when it printed any, `<base>.stderr`; returns the line for the recorder's log. */
export function writeCapture(base: string, capture: Capture, scrubStderr = (text: string) => text): string {
  writeFileSync(`${base}.jsonl`, capture.stdout);
  if (capture.stderr.length > 0) writeFileSync(`${base}.stderr`, scrubStderr(capture.stderr));
  else rmSync(`${base}.stderr`, { force: true });
  const lines = capture.stdout.split('\n').filter(Boolean).length;
  return `exit ${capture.exitCode ?? capture.signal} after ${capture.seconds.toFixed(1)}s, ${lines} line(s)`;
}

function stopGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
