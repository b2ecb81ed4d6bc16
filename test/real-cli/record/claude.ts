import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANTHROPIC_SCENARIOS, claudeApiEnv, fakeApi } from '../fake-api/anthropic.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { realCliEnv } from '../harness/cli-env.js';
import { assertLoopbackOnly } from '../harness/netns.js';
import { captureCli, writeCapture } from './capture.js';
import { CLAUDE_COMMAND, CLAUDE_RECORDING, CLAUDE_VERSION } from './claude-recording.js';

/**
 * Records what the real `claude -p … --output-format stream-json --verbose` prints in each scenario of the
 * fake Anthropic API, into test/fixtures/real-cli/claude-<version>/<scenario>.jsonl (stderr beside it as
 * <scenario>.stderr when there is any). Run it after changing the pinned version:
 *   cd test/real-cli && npm run record:claude [scenario…]
 * (it runs itself in a loopback-only network namespace).
 */

assertLoopbackOnly();
const outDir = fileURLToPath(new URL(`../../fixtures/real-cli/claude-${CLAUDE_VERSION}/`, import.meta.url));
mkdirSync(outDir, { recursive: true });
const wanted = process.argv.slice(2);
const scenarios = wanted.length > 0 ? wanted : ANTHROPIC_SCENARIOS;

// How each scenario ended, beside the fixtures; a partial re-recording keeps the others' entries.
const manifestFile = join(outDir, 'recording.json');
const manifest = existsSync(manifestFile)
  ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { scenarios: Record<string, unknown> })
  : { scenarios: {} };

const server = await startFakeApiServer({ apis: [fakeApi.create()], timeScale: CLAUDE_RECORDING.timeScale });
const record = async (scenario: string) => {
  const work = mkdtempSync(join(tmpdir(), `record-claude-${scenario}-`));
  const env = { ...realCliEnv(process.env, work, claudeApiEnv(server.url)), ...CLAUDE_RECORDING.env };
  mkdirSync(join(work, 'homes'));
  const capture = await captureCli(CLAUDE_COMMAND(scenario), {
    env,
    cwd: work,
    cutOffMs: CLAUDE_RECORDING.cutOffMs,
  });
  const said = writeCapture(join(outDir, scenario), capture);
  rmSync(work, { recursive: true, force: true });
  const { exitCode, signal, stoppedByRecorder } = capture;
  manifest.scenarios[scenario] = { exitCode, signal, stoppedByRecorder };
  process.stdout.write(`${scenario}: ${said}\n`);
};

// A few at a time: on a busy machine the CLI alone takes seconds to start.
const queue = [...scenarios];
await Promise.all(
  Array.from({ length: 3 }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await record(next);
  }),
);
await server.close();
writeFileSync(
  manifestFile,
  `${JSON.stringify(
    {
      version: CLAUDE_VERSION,
      command: CLAUDE_COMMAND('<scenario>'),
      timeScale: CLAUDE_RECORDING.timeScale,
      env: CLAUDE_RECORDING.env,
      scenarios: Object.fromEntries(
        Object.entries(manifest.scenarios).sort(([a], [b]) => a.localeCompare(b)),
      ),
    },
    null,
    2,
  )}\n`,
);
