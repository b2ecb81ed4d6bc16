import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultExpectations } from '../../../src/suite/expect.js';
import { loadSuite } from '../../../src/suite/index.js';
import { CLI } from '../../cli/cli-support.js';
import { FAKE_AGENT_BIN } from '../../fake-agent/support.js';
import { executor, request, scratchDir } from '../support/local-tasks.js';

const STREAM = '--output-format stream-json --verbose --fake-duration 300ms --fake-seed 3';

const dir = scratchDir();
const local = executor();
afterAll(() => local.close());

/** Each wrapper a user puts in front of an agent CLI, around the simulated agent. */
const WRAPPED: Array<[string, string, boolean]> = [
  ['timeout', `timeout 60 ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM}`, false],
  ['env with an assignment', `env CC_STRESS_WRAPPED=1 ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM}`, false],
  ['nice', `nice -n 5 ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM}`, false],
  ['stdbuf', `stdbuf -oL ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM}`, false],
  ['node and a script bin', `${process.execPath} ${CLI} fake-agent -p "Say hi" ${STREAM}`, false],
  ['a shell line', `cd ${dir} && timeout 60 ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM} | cat`, true],
];

function suiteOf(command: string, shell: boolean, extra = ''): string {
  const path = join(dir, `suite-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `name: wrapped\ntasks:\n  - id: t\n    shell: ${shell}\n    command: ${JSON.stringify(`${command}${extra}`)}\n`,
  );
  return path;
}

describe('a wrapped agent CLI, run through the local executor', () => {
  it.each(WRAPPED)('is parsed as its agent under %s', async (_name, command, shell) => {
    const task = loadSuite(suiteOf(command, shell)).tasks[0]!;
    expect(task.agent).toBe('claude');
    const result = await local.run(
      request(dir, task.argv, { shell: task.shell, agent: task.agent, expect: defaultExpectations() }),
    );
    // The final result event reached the adapter: the watchdog and the success check saw the agent's events.
    expect(result.exitCode).toBe(0);
    expect(result.finalEvent).toMatchObject({ type: 'result', is_error: false });
    expect(result.failures).toEqual([]);
  });

  it('tells a rate-limited wrapped agent from a plain failure', async () => {
    const task = loadSuite(
      suiteOf(
        `timeout 60 ${FAKE_AGENT_BIN} -p "Say hi" ${STREAM}`,
        false,
        ' --fake-fail rate-limit --fake-retries 1',
      ),
    ).tasks[0]!;
    const result = await local.run(
      request(dir, task.argv, { shell: task.shell, agent: task.agent, expect: defaultExpectations() }),
    );
    expect(result.retryLater).toBe(true);
    expect(result.finalEvent).toMatchObject({ type: 'result', is_error: true });
  });

  it('parses the simulated agent by the format it imitates, without an agent: setting', async () => {
    const task = loadSuite(
      suiteOf(
        `env X=1 ${FAKE_AGENT_BIN} --fake-format codex exec --json "List files" --fake-duration 300ms`,
        false,
      ),
    ).tasks[0]!;
    expect(task.agent).toBe('codex');
    const result = await local.run(
      request(dir, task.argv, { shell: task.shell, agent: task.agent, expect: defaultExpectations() }),
    );
    expect(result.finalEvent).toMatchObject({ type: 'turn.completed' });
  });
});
