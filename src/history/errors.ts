/** A history problem a user can act on; the message is one line naming the store and what to do. */
export class HistoryError extends Error {
  override name = 'HistoryError';
}
