import { describe, expect, it } from 'vitest';
import { detectAgent } from '../../src/command/model.js';

describe('detectAgent', () => {
  it.each([
    [['claude', '-p', 'hi', '--output-format', 'stream-json', '--verbose'], 'claude'],
    [['/usr/local/bin/claude', '-p', 'hi'], 'claude'],
    [['codex', 'exec', '--json', 'hi'], 'codex'],
    [['gemini', '-p', 'hi', '-o', 'stream-json'], 'gemini'],
    [['C:\\tools\\codex.exe', 'exec'], 'codex'],
    [['cc-stress-fake-agent', '--duration', '3'], 'claude'],
    [['node', 'bin/fake-agent.js', '--seed', '1'], 'claude'],
    [['./bin/fake-agent.js'], 'claude'],
    [['cc-stress', 'fake-agent', '--hang'], 'claude'],
    [['node', '--enable-source-maps', 'bin/cc-stress.js', 'fake-agent'], 'claude'],
    [['npx', '-y', 'cc-stress', 'fake-agent'], 'claude'],
    [['env', 'ANTHROPIC_MODEL=x', 'claude', '-p', 'hi'], 'claude'],
    [['nohup', 'codex', 'exec', 'hi'], 'codex'],
    [['timeout', '600', 'claude', '-p', 'hi'], 'claude'],
    [['nice', '-n', '5', 'codex', 'exec', 'hi'], 'codex'],
    [['sudo', '-u', 'ci', 'gemini', '-p', 'hi'], 'gemini'],
    [['npx', '@anthropic-ai/claude-code', '-p', 'hi'], 'claude'],
    [['pnpm', 'dlx', '@openai/codex', 'exec', 'hi'], 'codex'],
    [['bunx', '@google/gemini-cli', '-p', 'hi'], 'gemini'],
    [['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js', '-p', 'hi'], 'claude'],
    [['stdbuf', '-oL', 'ionice', '-c', '2', 'nohup', 'time', 'claude', '-p', 'hi'], 'claude'],
    [['sh', '-c', 'timeout 60 codex exec hi'], 'codex'],
    [['cc-stress-fake-agent', '--fake-format', 'codex', 'exec', 'hi'], 'codex'],
    [['cc-stress-fake-agent', '--fake-format=gemini', '-p', 'hi'], 'gemini'],
    [['cc-stress', 'run', 'suite.yaml'], 'none'],
    [['npm', 'test'], 'none'],
    [['echo', 'claude'], 'none'],
    [['claude-wrapper.sh'], 'none'],
    [['node'], 'none'],
    [[], 'none'],
  ])('%j is %s', (argv, agent) => {
    expect(detectAgent(argv)).toBe(agent);
  });
});

describe('detectAgent on shell lines', () => {
  it.each([
    ['cd work && timeout 600 claude -p "hi" | tee out.log', 'claude'],
    ['FOO=1 codex exec "unterminated', 'codex'],
    ['npm ci && npm test', 'none'],
    ['for i in 1 2; do echo $i; done', 'none'],
  ])('%j is %s', (line, agent) => {
    expect(detectAgent([line], true)).toBe(agent);
  });
});
