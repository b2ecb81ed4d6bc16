import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { writeFileAtomic } from '../../../src/report/atomic-write.js';
import { loadFakeApi } from '../fake-api/module.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { homesDir, realCliEnv } from './cli-env.js';
import { assertLoopbackOnly } from './netns.js';
import { CC_STRESS_BIN } from './paths.js';
import { type ChildSpec, childFiles } from './spec.js';

/**
 * Inside the loopback-only namespace: the fake APIs on 127.0.0.1, then `cc-stress <args>` with the CLIs
 * pointed at them; exits with cc-stress's exit code. It never cleans up after cc-stress: whatever the runner
 * leaves behind is what the tests look for.
 */
export async function runHarness(spec: ChildSpec): Promise<void> {
  assertLoopbackOnly();
  const files = childFiles(spec.workDir);
  mkdirSync(homesDir(spec.workDir), { recursive: true });

  const modules = await Promise.all(spec.apis.map(loadFakeApi));
  const server = await startFakeApiServer({
    apis: modules.map((m) => m.create()),
    timeScale: spec.timeScale,
    onRequest: (entry) => appendFileSync(files.requests, `${JSON.stringify(entry)}\n`),
  });
  const apiEnv = Object.assign({}, ...modules.map((m) => m.cliEnv(server.url))) as Record<string, string>;
  const env = { ...realCliEnv(process.env, spec.workDir, apiEnv), ...spec.env };

  const runner = spawn(process.execPath, [CC_STRESS_BIN, ...spec.args], {
    env,
    cwd: spec.cwd ?? spec.workDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Ctrl-C in a terminal reaches the whole foreground group: the runner handles it, the harness waits for it
  // (and keeps the fake APIs up) so the runner can end its tasks and write its reports.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => runner.kill('SIGTERM'));
  // Written whole or not at all: the test polls for the file and reads it as soon as it appears.
  const readyWritten = writeFileAtomic(
    files.ready,
    JSON.stringify({
      harnessPid: process.pid,
      runnerPid: runner.pid,
      url: server.url,
      netns: readlinkSync('/proc/self/ns/net'),
    }),
  );
  runner.once('error', (error) => {
    process.stderr.write(`harness: could not start cc-stress: ${error.message}\n`);
    process.exitCode = 70;
  });
  runner.once('close', (code, signal) => {
    // A runner that ends at once still leaves the ready file behind it.
    void readyWritten
      .catch(() => {})
      .then(() => server.close())
      .then(() => {
        process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
      });
  });
  await readyWritten;
}
