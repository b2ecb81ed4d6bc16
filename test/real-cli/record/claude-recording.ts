/** How the Claude Code fixtures are recorded: the pinned version, its command line and the fake's timing. */

export const CLAUDE_VERSION = '2.1.332';

export const CLAUDE_COMMAND = (scenario: string): string[] => [
  'claude',
  '-p',
  `Reply briefly. scenario:${scenario}`,
  '--output-format',
  'stream-json',
  '--verbose',
  '--allowedTools',
  'Bash',
];

export const CLAUDE_RECORDING = {
  /** The fake's timing at 1/20: a 6 s think, a 4.5 s silent tool. */
  timeScale: 0.05,
  /** Three retries instead of ten, so a storm ends in seconds; the lines are the same. */
  env: { CLAUDE_CODE_MAX_RETRIES: '3' } as Record<string, string>,
  /** Dead streams never end by themselves: stopped this long after the CLI's first line. */
  cutOffMs: 20_000,
};
