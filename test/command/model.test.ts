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
