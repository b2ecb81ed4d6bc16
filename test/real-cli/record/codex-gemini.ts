import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEMINI_SCENARIOS, fakeApi as geminiFake, geminiSettingsPath } from '../fake-api/gemini.js';
import { OPENAI_SCENARIOS, fakeApi as openAiFake } from '../fake-api/openai.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { realCliEnv } from '../harness/cli-env.js';
import { assertLoopbackOnly } from '../harness/netns.js';
import { REPO_ROOT } from '../harness/paths.js';
import {
  CODEX_COMMAND,
  CODEX_VERSION,
  GEMINI_COMMAND,
  GEMINI_VERSION,
  RECORDING,
} from './codex-gemini-recording.js';

/**
 * Records what the real `codex exec --json` and `gemini -p … -o stream-json` print in each scenario of
 * their fake APIs, into test/fixtures/real-cli/{codex-<version>,gemini-<version>}/<scenario>.jsonl (stderr
 * beside it as <scenario>.stderr; how each ended in recording.json). Run it after changing a pinned version:
 *   cd test/real-cli && npm run record:codex-gemini [codex|gemini] [scenario…]
 * (it runs itself in a loopback-only network namespace).
 */

assertLoopbackOnly();
const [only, ...wanted] = process.argv.slice(2);
const clis = only === 'codex' || only === 'gemini' ? [only] : ['codex', 'gemini'];
if (only !== undefined && clis.length === 2) wanted.unshift(only);

const server = await startFakeApiServer({
  apis: [openAiFake.create(), geminiFake.create()],
  timeScale: RECORDING.timeScale,
});
const fixtures = (dir: string) => fileURLToPath(new URL(`../../fixtures/real-cli/${dir}/`, import.meta.url));

const jobs: {
  cli: string;
  scenario: string;
  outDir: string;
  argv: string[];
  apiEnv: Record<string, string>;
}[] = [];
if (clis.includes('codex')) {
  const apiEnv = openAiFake.cliEnv(server.url);
  for (const scenario of wanted.length > 0 ? wanted : OPENAI_SCENARIOS) {
    const argv = CODEX_COMMAND(scenario, apiEnv.OPENAI_FAKE_URL ?? '');
    jobs.push({ cli: 'codex', scenario, outDir: fixtures(`codex-${CODEX_VERSION}`), argv, apiEnv });
  }
}
if (clis.includes('gemini')) {
  const apiEnv = geminiFake.cliEnv(server.url);
  for (const scenario of wanted.length > 0 ? wanted : GEMINI_SCENARIOS) {
    const argv = GEMINI_COMMAND(scenario);
    jobs.push({ cli: 'gemini', scenario, outDir: fixtures(`gemini-${GEMINI_VERSION}`), argv, apiEnv });
  }
}

interface Ended {
  exitCode: number | null;
  signal: string | null;
  stoppedByRecorder: boolean;
}
// How each scenario ended, beside the fixtures; a partial re-recording keeps the others' entries.
const manifests = new Map<string, Record<string, Ended>>();
const manifestOf = (outDir: string): Record<string, Ended> => {
  let manifest = manifests.get(outDir);
  if (manifest === undefined) {
    const file = join(outDir, 'recording.json');
    manifest = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { scenarios: Record<string, Ended> }).scenarios
      : {};
    manifests.set(outDir, manifest);
  }
  return manifest;
};

const record = async (job: (typeof jobs)[number]) => {
  const work = mkdtempSync(join(tmpdir(), `record-${job.cli}-${job.scenario}-`));
  // TMPDIR too: Gemini CLI writes an error report file there for every failed request.
  const env = { ...realCliEnv(process.env, work, job.apiEnv), TMPDIR: work };
  mkdirSync(join(work, 'homes'));
  mkdirSync(job.outDir, { recursive: true });
  const child = spawn(job.argv[0] ?? '', job.argv.slice(1), {
    env,
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Gemini CLI's first process ignores SIGTERM and only its relaunched child obeys.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let cutOff: NodeJS.Timeout | undefined;
  let stoppedByRecorder = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    cutOff ??= setTimeout(() => {
      stoppedByRecorder = true;
      stopGroup(child.pid);
    }, RECORDING.cutOffMs);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = Date.now();
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(cutOff);
  const base = join(job.outDir, job.scenario);
  writeFileSync(`${base}.jsonl`, stdout);
  manifestOf(job.outDir)[job.scenario] = { exitCode: code, signal, stoppedByRecorder };
  // Stack traces name files under the checkout: keep where it happens to live out of the fixtures.
  if (stderr.length > 0) writeFileSync(`${base}.stderr`, stderr.replaceAll(REPO_ROOT, '<repo>/'));
  else rmSync(`${base}.stderr`, { force: true });
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    `${job.cli} ${job.scenario}: exit ${code ?? signal} after ${((Date.now() - started) / 1000).toFixed(1)}s, ` +
      `${stdout.split('\n').filter(Boolean).length} line(s)\n`,
  );
};

function stopGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

// A few at a time: on a busy machine a CLI alone takes seconds to start.
await Promise.all(
  Array.from({ length: 3 }, async () => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) await record(job);
  }),
);
await server.close();

for (const [outDir, scenarios] of manifests) {
  const codex = outDir.includes('/codex-');
  const manifest = {
    version: codex ? CODEX_VERSION : GEMINI_VERSION,
    command: codex ? CODEX_COMMAND('<scenario>', '<fake url>/v1') : GEMINI_COMMAND('<scenario>'),
    timeScale: RECORDING.timeScale,
    env: codex ? {} : { GEMINI_CLI_SYSTEM_SETTINGS_PATH: geminiSettingsPath() },
    scenarios: Object.fromEntries(Object.entries(scenarios).sort(([a], [b]) => a.localeCompare(b))),
  };
  writeFileSync(join(outDir, 'recording.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
