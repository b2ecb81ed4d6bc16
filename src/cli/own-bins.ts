import { delimiter, join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * Lets tasks call `cc-stress-fake-agent` (and `cc-stress`) by name however cc-stress was started.
 * Appended, so a tool of the same name installed by the user still wins.
 */
export function exposeOwnBins(): void {
  const binDir = join(packageRoot(), 'bin');
  const parts = (process.env.PATH ?? '').split(delimiter).filter((p) => p !== '');
  if (!parts.includes(binDir)) process.env.PATH = [...parts, binDir].join(delimiter);
}
