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
    ...hermetic(base),
    // Belt and braces: whatever proxy a CLI finds configured elsewhere, loopback goes direct.
    NO_PROXY: LOOPBACK,
    no_proxy: LOOPBACK,
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

const LOOPBACK = '127.0.0.1,localhost,::1';

/**
 * The caller's environment without what would send a CLI elsewhere than the fake API: proxy variables (a CI
 * machine that reaches its package registry through a proxy sets them; inside the namespace the proxy is
 * unreachable, and every CLI would fail to connect or retry until its limit), and each vendor's own
 * variables (keys, base URLs, models, config folders), which the fake API's variables then set anew.
 */
export function hermetic(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (/proxy$/i.test(name) || VENDOR_PREFIX.test(name)) continue;
    env[name] = value;
  }
  return env;
}

const VENDOR_PREFIX = /^(ANTHROPIC|CLAUDE|CLAUDE_CODE|OPENAI|CODEX|GEMINI|GOOGLE|VERTEX)_/i;

export const homesDir = (workDir: string) => `${workDir}/homes`;
