/**
 * Lets task starts through one per event-loop turn. Planning and spawning a task are synchronous work
 * (a SQLite read, fork and exec); hundreds of workers starting at once would otherwise do all of it in one
 * turn and stall the loop for seconds, long enough for watchdogs and output to fall behind. Between two
 * starts, timers and I/O run, so a burst costs the loop one start at a time, not all of them.
 */
export class StartGate {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves when it is this caller's turn to start a task. */
  pass(): Promise<void> {
    const turn = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.tail = turn;
    return turn;
  }
}
