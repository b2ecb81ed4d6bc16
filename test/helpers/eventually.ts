/**
 * Polls until `condition` holds; throws naming `what` when it still does not after `timeoutMs`. Tests wait for
 * the state they need this way instead of sleeping a fixed time that a busy machine may not honour.
 */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
