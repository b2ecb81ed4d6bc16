import { quoteArgv } from '../command/quote.js';

/** The command as one line that can be pasted into a POSIX shell (the remote executor sends the same). */
export function displayCommand(argv: readonly string[], shell: boolean): string {
  if (shell) return argv[0] ?? '';
  return quoteArgv(argv);
}
