import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GEMINI_SCENARIOS, fakeApi as geminiFake } from '../fake-api/gemini.js';
import { OPENAI_SCENARIOS, fakeApi as openAiFake } from '../fake-api/openai.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { realCliEnv } from '../harness/cli-env.js';
import { assertLoopbackOnly } from '../harness/netns.js';
import { REPO_ROOT } from '../harness/paths.js';
import { captureCli, writeCapture } from './capture.js';
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
  const capture = await captureCli(job.argv, { env, cwd: work, cutOffMs: RECORDING.cutOffMs });
  // Stack traces name files under the checkout: keep where it happens to live out of the fixtures.
  const said = writeCapture(join(job.outDir, job.scenario), capture, (text) =>
    text.replaceAll(REPO_ROOT, '<repo>/'),
  );
  const { exitCode, signal, stoppedByRecorder } = capture;
  manifestOf(job.outDir)[job.scenario] = { exitCode, signal, stoppedByRecorder };
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${job.cli} ${job.scenario}: ${said}\n`);
};

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
    // The settings the CLI read, by their place in the repository (each run reads a private copy of them).
    env: codex ? {} : { GEMINI_CLI_SYSTEM_SETTINGS_PATH: 'test/real-cli/fake-api/gemini-settings.json' },
    scenarios: Object.fromEntries(Object.entries(scenarios).sort(([a], [b]) => a.localeCompare(b))),
  };
  writeFileSync(join(outDir, 'recording.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
