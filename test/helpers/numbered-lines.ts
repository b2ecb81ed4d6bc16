import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Lines of exactly this many bytes (newline included), the size of a compiler's or an agent's lines. */
export const LINE_BYTES = 80;

const FILLER = 'cc-stress numbered line abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Line `i` of the stream: its number first, so order and gaps show. */
export function numberedLine(i: number): string {
  const head = `${String(i).padStart(9, '0')} `;
  return `${head}${FILLER.slice(0, LINE_BYTES - head.length - 1)}\n`;
}

/**
 * Writes a Node script that prints lines 0 … N-1 (N its first argument) as fast as the pipe takes them,
 * and returns its path.
 */
export function numberedLinesScript(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cc-stress-lines-')), 'numbered-lines.cjs');
  writeFileSync(
    path,
    `const total = Number(process.argv[2]);
const filler = ${JSON.stringify(FILLER)};
const line = (i) => { const head = String(i).padStart(9, '0') + ' '; return head + filler.slice(0, ${LINE_BYTES} - head.length - 1) + '\\n'; };
let i = 0;
function write() {
  while (i < total) {
    let chunk = '';
    for (let j = 0; j < 1000 && i < total; j += 1, i += 1) chunk += line(i);
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', write);
  }
}
write();
`,
  );
  return path;
}

/** The index of the first line that is not the expected one: -1 when the text is exactly lines 0 … count-1. */
export function firstWrongLine(text: string, count: number): number {
  for (let i = 0; i < count; i += 1) {
    if (text.slice(i * LINE_BYTES, (i + 1) * LINE_BYTES) !== numberedLine(i)) return i;
  }
  return text.length === count * LINE_BYTES ? -1 : count;
}
