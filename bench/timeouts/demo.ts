import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSuite } from '../../src/suite/index.js';
import type { PlanInput } from '../../src/timeouts/types.js';

/** The project folder: the nearest one above this file with suites/demo.yaml (source or built bench). */
function projectDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'suites', 'demo.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir)
      throw new Error('cannot find suites/demo.yaml above the benchmark; run it from the project');
    dir = up;
  }
}

/**
 * The demo suite's tasks exactly as `cc-stress run suites/demo.yaml` loads them, so that its records are
 * classified as the real runner would classify them.
 */
export function loadDemoTasks(): PlanInput[] {
  const suite = loadSuite(join(projectDir(), 'suites', 'demo.yaml'), { env: { TMPDIR: '/tmp' } });
  return suite.tasks;
}
