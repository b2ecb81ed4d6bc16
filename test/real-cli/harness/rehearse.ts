import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHarness } from './harness-main.js';
import { REPO_ROOT } from './paths.js';
import { childFiles } from './spec.js';

/**
 * `npm run rehearse -- [cc-stress run options]`: the unified suite's tasks on the real claude CLI against the
 * fake Anthropic API, offline, in a loopback-only network namespace. Limits are learned in a history of its
 * own (kept between rehearsals, apart from the real one); reports go to reports/rehearsal unless --out says.
 */
const workDir = process.env.CC_STRESS_REHEARSAL_DIR ?? join(tmpdir(), 'cc-stress-rehearsal');
mkdirSync(workDir, { recursive: true });
rmSync(childFiles(workDir).requests, { force: true });
rmSync(join(workDir, 'homes'), { recursive: true, force: true });

const args = process.argv.slice(2);
await runHarness({
  workDir,
  apis: ['anthropic'],
  // A real session's thinks and tools at 1/20: the long tasks take seconds, not minutes.
  timeScale: Number(process.env.CC_STRESS_REHEARSAL_SCALE ?? '0.05'),
  args: [
    'run',
    join(REPO_ROOT, 'suites', 'rehearsal.yaml'),
    ...(args.some((a) => a === '--out' || a === '-o' || a.startsWith('--out='))
      ? []
      : ['--out', 'reports/rehearsal']),
    ...args,
  ],
  env: {},
  cwd: process.cwd(),
});
