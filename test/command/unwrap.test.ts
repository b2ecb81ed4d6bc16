import { describe, expect, it } from 'vitest';
import { simpleCommands, toolName } from '../../src/command/unwrap.js';

function main(argv: string[], shell = false) {
  const all = simpleCommands(argv, shell);
  return all[all.length - 1]!;
}

describe('simpleCommands', () => {
  it('peels env assignments, env, timeout, nice and stdbuf off the work', () => {
    const cmd = main([
      'env',
      '-u',
      'HOME',
      'CI=1',
      'timeout',
      '-s',
      'KILL',
      '600',
      'nice',
      '-n',
      '5',
      'stdbuf',
      '-oL',
      'npm',
      'test',
    ]);
    expect(cmd).toMatchObject({ tool: 'npm', args: ['test'], env: ['CI=1'] });
    expect(cmd.wrappers).toEqual(['env', 'timeout', 'nice', 'stdbuf']);
  });

  it('opens sh -c, bash -lc and bash -euo pipefail -c', () => {
    expect(main(['sh', '-c', 'npm test'])).toMatchObject({ tool: 'npm', args: ['test'] });
    expect(main(['/bin/bash', '-lc', 'cargo build'])).toMatchObject({ tool: 'cargo', args: ['build'] });
    expect(main(['bash', '-euo', 'pipefail', '-c', 'make -j8'])).toMatchObject({
      tool: 'make',
      args: ['-j8'],
    });
  });

  it('treats a shell script without -c as the script itself', () => {
    expect(main(['bash', 'scripts/ci.sh'])).toMatchObject({ tool: 'bash', args: ['scripts/ci.sh'] });
  });

  it('resolves npx, package runners and node_modules/.bin to the binary', () => {
    expect(main(['npx', '--yes', 'vitest@3.2.0', 'run'])).toMatchObject({ tool: 'vitest', args: ['run'] });
    expect(main(['npx', '-y', '@anthropic-ai/claude-code', '-p', 'hi'])).toMatchObject({ tool: 'claude' });
    expect(main(['pnpm', 'exec', 'tsc', '-b'])).toMatchObject({ tool: 'tsc', args: ['-b'] });
    expect(main(['./node_modules/.bin/jest', '--ci'])).toMatchObject({ tool: 'jest' });
    expect(main(['uv', 'run', '--with', 'rich', 'pytest', '-q'])).toMatchObject({
      tool: 'pytest',
      args: ['-q'],
    });
    expect(main(['python3', '-m', 'pytest', '-x'])).toMatchObject({ tool: 'pytest', args: ['-x'] });
  });

  it('recognises every spelling of the simulated agent', () => {
    for (const argv of [
      ['cc-stress-fake-agent', '-p', 'x'],
      ['node', 'bin/fake-agent.js', '-p', 'x'],
      ['node', '/opt/cc-stress/dist/fake-agent/cli.js', '-p', 'x'],
      ['cc-stress', 'fake-agent', '-p', 'x'],
      ['npx', 'cc-stress', 'fake-agent', '-p', 'x'],
    ]) {
      expect(main(argv)).toMatchObject({ tool: 'fake-agent', args: ['-p', 'x'] });
    }
  });

  it('splits shell lines into their commands', () => {
    const all = simpleCommands(['cd web && FOO=bar pnpm build'], true);
    expect(all.map((c) => c.tool)).toEqual(['cd', 'pnpm']);
    expect(all[1]!.env).toEqual(['FOO=bar']);
  });

  it('sees through shell grammar to the commands it runs', () => {
    const loop = simpleCommands(['for i in 1 2 3; do echo "step $i"; sleep 0.5; done; echo OK'], true);
    expect(loop.map((c) => c.tool)).toEqual(['echo', 'sleep', 'echo']);
    const branch = simpleCommands(['if npm test; then echo ok; else exit 1; fi'], true);
    expect(branch.map((c) => c.tool)).toEqual(['npm', 'echo', 'exit']);
  });

  it('stops opening nested shells after four levels, naming the shell it did not open', () => {
    const nested = (levels: number) => {
      let line = 'npm test';
      for (let i = 0; i < levels; i++) line = `sh -c '${line.replace(/'/g, `'\\''`)}'`;
      return simpleCommands([line], true);
    };
    expect(nested(4).map((c) => [c.tool, c.wrappers.length])).toEqual([['npm', 4]]);
    for (const levels of [5, 6, 9]) {
      expect(nested(levels).map((c) => [c.tool, c.wrappers.length])).toEqual([['sh', 5]]);
    }
  });
});

describe('toolName', () => {
  it('normalises paths, versions and aliases', () => {
    expect(toolName('/usr/bin/python3.12')).toBe('python');
    expect(toolName('./gradlew')).toBe('gradle');
    expect(toolName('C:\\tools\\node.exe')).toBe('node');
    expect(toolName('gmake')).toBe('make');
  });
});
