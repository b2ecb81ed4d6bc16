import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANTHROPIC_SCENARIOS, claudeApiEnv, fakeApi } from '../fake-api/anthropic.js';
import { startFakeApiServer } from '../fake-api/server.js';
import { realCliEnv } from '../harness/cli-env.js';
import { assertLoopbackOnly } from '../harness/netns.js';
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
  const child = spawn('claude', CLAUDE_COMMAND(scenario).slice(1), {
    env,
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // A dead stream is waited on for many minutes: record what it printed up to a cut-off, then stop it.
  let cutOff: NodeJS.Timeout | undefined;
  let stoppedByRecorder = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    cutOff ??= setTimeout(() => {
      stoppedByRecorder = true;
      child.kill('SIGTERM');
    }, CLAUDE_RECORDING.cutOffMs);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = Date.now();
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(cutOff);
  writeFileSync(join(outDir, `${scenario}.jsonl`), stdout);
  const stderrFile = join(outDir, `${scenario}.stderr`);
  if (stderr.length > 0) writeFileSync(stderrFile, stderr);
  else rmSync(stderrFile, { force: true });
  rmSync(work, { recursive: true, force: true });
  manifest.scenarios[scenario] = { exitCode: code, signal, stoppedByRecorder };
  process.stdout.write(
    `${scenario}: exit ${code ?? signal} after ${((Date.now() - started) / 1000).toFixed(1)}s, ` +
      `${stdout.split('\n').filter(Boolean).length} line(s)\n`,
  );
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
