/**
 * A Node program (for `node -e`) printing `totalBytes` (a multiple of 64 KiB) as 1 KiB lines of `letter`,
 * 64 lines per write, waiting for 'drain' like a real fast producer.
 */
export function floodProgram(totalBytes: number, letter: string): string {
  return `const chunk = ('${letter}'.repeat(1023) + '\\n').repeat(64); let left = ${totalBytes / (64 * 1024)};
      function write() { while (left > 0) { left--; if (!process.stdout.write(chunk)) return process.stdout.once('drain', write); } }
      write();`;
}
