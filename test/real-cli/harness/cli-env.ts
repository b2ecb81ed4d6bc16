import { WRAPPERS_DIR } from './paths.js';

/**
 * The environment of a namespaced run: the CLI wrappers first on PATH (a fresh HOME per CLI run, the
 * namespace check), HOMEs made under `homes`, the fake APIs' variables, and a cc-stress that touches neither
 * the user's history nor a shared Redis.
 */
export function realCliEnv(
  base: NodeJS.ProcessEnv,
  workDir: string,
  apiEnv: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    PATH: `${WRAPPERS_DIR}:${base.PATH ?? '/usr/bin:/bin'}`,
    CC_REAL_CLI_HOMES: homesDir(workDir),
    CC_STRESS_HISTORY: `${workDir}/history.db`,
    CI: 'true',
    ...apiEnv,
  };
  delete env.CC_STRESS_REDIS_URL;
  delete env.CC_STRESS_CONFIG;
  return env;
}

export const homesDir = (workDir: string) => `${workDir}/homes`;
