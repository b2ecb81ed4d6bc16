/** A mistake in how cc-stress was called; exit code 2 with a one-line message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  interrupted: 130,
} as const;
