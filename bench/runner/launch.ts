import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedisServer } from '../../test/helpers/redis-server.js';
import { median } from '../common/stats.js';
import { tempDir } from './tasks.js';

/**
 * From launching `cc-stress run` (the built CLI, a fresh process) to its first task running, with history
 * in SQLite only, with Redis configured but nothing listening, and with Redis hung (SIGSTOP: connections
 * are accepted, nothing is answered). The task itself notes the wall-clock time it started.
 */

export interface LaunchRow {
  history: string;
  runs: number;
  medianMs: number;
  maxMs: number;
}

const BIN = fileURLToPath(new URL('../../../bin/cc-stress', import.meta.url));

/** Launches `argv` with node and resolves with the time from launch to the stamp the task wrote. */
function launchOnce(dir: string, round: number, redisUrl: string | undefined, bare = false): Promise<number> {
  const stamp = join(dir, `started-${round}`);
  const task = `date +%s%N > ${JSON.stringify(stamp)}`;
  const suite = join(dir, `suite-${round}.yaml`);
  writeFileSync(
    suite,
    `name: launch\ntasks:\n  - id: first\n    command: ${JSON.stringify(task)}\n    shell: true\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, CC_STRESS_HISTORY: join(dir, 'history.db'), CI: 'true' };
  delete env.CC_STRESS_REDIS_URL;
  delete env.CC_STRESS_CONFIG;
  if (redisUrl !== undefined) env.CC_STRESS_REDIS_URL = redisUrl;
  return new Promise((resolve, reject) => {
    const launchedAt = Date.now();
    const args = bare
      ? ['-e', `require('node:child_process').execSync(${JSON.stringify(task)})`]
      : [BIN, 'run', suite, '--out', join(dir, `out-${round}`), '--reporter', 'json'];
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        const startedAt = Number(readFileSync(stamp, 'utf8').trim()) / 1e6;
        resolve(startedAt - launchedAt);
      } catch {
        reject(new Error(`launch: the task never started (exit ${code}):\n${err.slice(-1000)}`));
      }
    });
  });
}

let launches = 0;

async function rounds(
  dir: string,
  label: string,
  runs: number,
  url: string | undefined,
  bare = false,
): Promise<LaunchRow> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await launchOnce(dir, launches++, url, bare));
  return { history: label, runs, medianMs: median(times)!, maxMs: Math.max(...times) };
}

export async function measureLaunch(runs: number): Promise<LaunchRow[]> {
  const dir = tempDir('launch');
  const redis = await startRedisServer();
  try {
    const rows: LaunchRow[] = [];
    // What Node alone costs on this machine right now: the floor under every other row.
    rows.push(await rounds(dir, 'bare node running the task (baseline)', runs, undefined, true));
    rows.push(await rounds(dir, 'SQLite only', runs, undefined));
    rows.push(await rounds(dir, 'Redis healthy', runs, redis.url));
    rows.push(
      await rounds(dir, 'Redis down (nothing listening)', runs, `redis://127.0.0.1:${await freePort()}`),
    );
    redis.pause();
    rows.push(await rounds(dir, 'Redis hung (SIGSTOP)', runs, redis.url));
    redis.resume();
    return rows;
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
