import { spawn } from 'node:child_process';

/**
 * A grandchild that ignores SIGTERM and stays in our process group, the way a tool's background job can:
 * only a runner that SIGKILLs the whole group gets rid of it.
 */
export function spawnStubbornGrandchild(): number | undefined {
  const child = spawn('sh', ['-c', 'trap "" TERM; sleep 1000'], { stdio: 'ignore', detached: false });
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
