import { fileURLToPath } from 'node:url';

const at = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** The repository root, test/real-cli and the folder of the CLI wrappers (claude, codex, gemini). */
export const REPO_ROOT = at('../../../');
export const REAL_CLI_DIR = at('../');
export const WRAPPERS_DIR = at('./bin/');
export const CC_STRESS_BIN = at('../../../bin/cc-stress');
/** tsx's loader, so the namespaced child can run the TypeScript harness directly. */
export const TSX_LOADER = at('../node_modules/tsx/dist/loader.mjs');
