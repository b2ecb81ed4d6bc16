import { describe, expect, it } from 'vitest';
import { ChunkLimitScanner, SEARCH_BYTES } from '../../src/server/chunk-limit-scanner.js';

function scan(chunks: string[]): string[] {
  const lines: string[] = [];
  const scanner = new ChunkLimitScanner((line) => lines.push(line));
  for (const chunk of chunks) scanner.push(Buffer.from(chunk));
  scanner.end();
  return lines;
}

/** Every way of cutting the text in two. */
function cuts(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

describe('ChunkLimitScanner', () => {
  it('passes on only the lines that may hold a limit message, without their newline or \\r', () => {
    const text = 'plain line\nClaude AI usage limit reached|1767225600\r\nHTTP 429 Too Many Requests\nok\n';
    expect(scan([text])).toEqual(['Claude AI usage limit reached|1767225600', 'HTTP 429 Too Many Requests']);
  });

  it('finds a line once, wherever the reads cut it, the last line without a newline included', () => {
    const text = 'before\nrate LIMIT hit: 429 too many requests\nafter output Token\nend';
    for (const pieces of cuts(text)) {
      expect(scan(pieces)).toEqual(['rate LIMIT hit: 429 too many requests', 'after output Token']);
    }
  });

  it('finds the words after non-ASCII text, wherever a read cuts the bytes', () => {
    const line = 'Überlastung — Rate Limit erreicht, bitte warten';
    const bytes = Buffer.from(`ok ✓\n${line}\nmax TOKENS\n`);
    for (let at = 0; at <= bytes.length; at++) {
      const lines: string[] = [];
      const scanner = new ChunkLimitScanner((found) => lines.push(found));
      scanner.push(bytes.subarray(0, at));
      scanner.push(bytes.subarray(at));
      scanner.end();
      expect(lines).toEqual([line, 'max TOKENS']);
    }
  });

  it('searches only the start of a very long line, as the line path does', () => {
    const late = `${'x'.repeat(SEARCH_BYTES + 10)} rate limit 429\n`;
    const early = `rate limit 429 ${'x'.repeat(SEARCH_BYTES * 3)}\n`;
    expect(scan([late])).toEqual([]);
    expect(scan([early.slice(0, 1000), early.slice(1000, 9000), early.slice(9000)])).toEqual([
      early.slice(0, SEARCH_BYTES),
    ]);
  });

  it('finds nothing in output without candidates, however it is cut', () => {
    const text = 'cc-stress throughput 0123456789 abcdefghijklmnopqrstuvwxyz\n'.repeat(1000);
    expect(scan([text.slice(0, 7777), text.slice(7777)])).toEqual([]);
  });
});
