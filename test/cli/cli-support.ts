import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type ChildResult, finished } from '../helpers/child-output.js';

export const CLI = fileURLToPath(new URL('../../bin/cc-stress', import.meta.url));

export type CliResult = ChildResult;
export { finished };

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'cc-stress-cli-'));
}

/** A suite file in `dir`; returns its path. */
export function writeSuite(dir: string, yaml: string, name = 'suite.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

/** Environment for a CLI run that never touches the user's history or a shared Redis. */
export function isolatedEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CC_STRESS_HISTORY: join(dir, 'history.db'), CI: 'true' };
  delete env.CC_STRESS_REDIS_URL;
  delete env.CC_STRESS_CONFIG;
  // Tests that want GitHub Actions output set these themselves; a run of the tests inside Actions must not
  // annotate the job or write to its summary.
  delete env.GITHUB_ACTIONS;
  delete env.GITHUB_STEP_SUMMARY;
  delete env.GITHUB_WORKSPACE;
  return { ...env, ...extra };
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return finished(startCli(args, env, cwd));
}
