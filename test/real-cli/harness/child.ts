import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { loadFakeApi } from '../fake-api/module.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { homesDir, realCliEnv } from './cli-env.js';
import { assertLoopbackOnly } from './netns.js';
import { CC_STRESS_BIN } from './paths.js';
import { type ChildSpec, childFiles } from './spec.js';

/**
 * Runs inside the loopback-only namespace (started by runInNamespace): the fake APIs on 127.0.0.1, then
 * `cc-stress <args>` with the CLIs pointed at them. Exits with cc-stress's exit code. It never cleans up
 * after cc-stress: whatever the runner leaves behind is what the tests look for.
 */

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ChildSpec;
const files = childFiles(spec.workDir);
assertLoopbackOnly();
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
  cwd: spec.workDir,
  stdio: ['ignore', 'inherit', 'inherit'],
});
writeFileSync(
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
  void server.close().then(() => {
    process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
  });
});
