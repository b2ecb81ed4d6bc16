/** A history problem a user can act on; the message is one line naming the store and what to do. */
export class HistoryError extends Error {
  override name = 'HistoryError';
}

/**
 * The store is reachable but holds something unexpected under one of our keys (another program wrote a key
 * of another type there). Only that key's class is affected: it is skipped, never taken as an outage.
 */
export class HistoryDataError extends Error {
  override name = 'HistoryDataError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const WRONG_TYPE = /WRONGTYPE (\S+) holds an? (\w+), expected an? (\w+)/;

/** The data error behind a Redis reply error, or the error itself when it is something else. */
export function asDataError(error: unknown): unknown {
  const match = error instanceof Error ? WRONG_TYPE.exec(error.message) : null;
  if (match === null) return error;
  return new HistoryDataError(
    match[1]!,
    `key ${match[1]} holds a ${match[2]}, not the ${match[3]} cc-stress keeps there`,
  );
}
