import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Lets tasks call `cc-stress-fake-agent` (and `cc-stress`) by name however cc-stress was started.
 * Appended, so a tool of the same name installed by the user still wins.
 */
export function exposeOwnBins(): void {
  const binDir = fileURLToPath(new URL('../../bin', import.meta.url));
  const parts = (process.env.PATH ?? '').split(delimiter).filter((p) => p !== '');
  if (!parts.includes(binDir)) process.env.PATH = [...parts, binDir].join(delimiter);
}
