import { describe, expect, it } from 'vitest';
import { lineKind, recording } from '../helpers/recorded-cli.js';
import { runFakeAgent } from './support.js';

/**
 * The simulated agent must keep printing what the real Claude Code prints: in each matching scenario, the
 * same line kinds (type/subtype, and the content blocks of messages) in the same order, and on each line
 * the same field names, at the top and inside `message`. When this fails after re-recording a new CLI
 * version, update src/fake-agent/writers/claude.ts to the new shape.
 */

const CLI = 'claude-2.1.332';
const CLAUDE_ARGS = ['-p', 'hi', '--output-format', 'stream-json', '--verbose', '--fake-duration', '400ms'];

type Line = Record<string, unknown>;

/** One line's shape: its kind with its content block types, and its sorted field names. */
function shape(line: Line) {
  const message = line.message as { content?: Array<{ type?: string }> } | undefined;
  const blocks = Array.isArray(message?.content) ? `:${message.content.map((b) => b.type).join('+')}` : '';
  return {
    kind: `${lineKind(line)}${blocks}`,
    fields: Object.keys(line).sort().join(','),
    messageFields: message === undefined ? undefined : Object.keys(message).sort().join(','),
  };
}

/** Consecutive lines of one kind fold into one: how many text lines or retries a session has is its own. */
function shapes(lines: Line[]) {
  return lines.map(shape).filter((s, i, all) => i === 0 || JSON.stringify(s) !== JSON.stringify(all[i - 1]));
}

const parse = (lines: string[]): Line[] => lines.map((line) => JSON.parse(line) as Line);

describe('the simulated claude against recorded Claude Code 2.1.332 output', () => {
  it.each([
    ['normal', ['--fake-turns', '1', '--fake-seed', '1']],
    ['long-tool', ['--fake-turns', '2', '--fake-tool-duration', '200ms', '--fake-seed', '2']],
    ['storm-529', ['--fake-fail', 'overloaded', '--fake-seed', '3']],
    ['storm-429', ['--fake-fail', 'rate-limit', '--fake-seed', '4']],
  ])('prints what the real CLI printed in %s', async (scenario, fake) => {
    const real = parse(recording(CLI, scenario).lines);
    const run = await runFakeAgent([...CLAUDE_ARGS, ...fake]);
    expect(shapes(run.events)).toEqual(shapes(real));
    expect(run.exitCode).toBe(recording(CLI, scenario).exitCode);
  });
});
