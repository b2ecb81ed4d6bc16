import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * A file name for a task's log that cannot escape the logs folder whatever the task id holds
 * (`../`, slashes, newlines), and stays unique when sanitising merges two ids.
 */
export function logFileName(taskId: string, attempt: number): string {
  const safe = taskId
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 8);
  return `${safe}.${hash}.attempt-${attempt}.log`;
}

export function logPathFor(outDir: string, taskId: string, attempt: number): string {
  return join(outDir, 'logs', logFileName(taskId, attempt));
}
