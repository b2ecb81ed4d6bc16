import type { AgentKind } from './types.js';

/** Programs that run the next word as the real program (`node fake-agent.js`, `npx claude`, `env X=1 codex`). */
const WRAPPERS = new Set(['env', 'nohup', 'exec', 'time', 'command', 'npx', 'pnpx', 'bunx', 'node', 'bun']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const AGENTS: ReadonlySet<string> = new Set(['claude', 'codex', 'gemini']);
const FAKE_AGENT = new Set(['cc-stress-fake-agent', 'fake-agent.js', 'fake-agent.mjs', 'fake-agent.ts']);
const CC_STRESS = new Set(['cc-stress', 'cc-stress.js']);

function basename(path: string): string {
  const base = path.split(/[\\/]/).at(-1) ?? path;
  // Windows shims name the same program claude.cmd or codex.exe.
  return base.replace(/\.(exe|cmd|bat|ps1)$/i, '');
}

/**
 * Which agent CLI a command runs, from its program name: claude, codex and gemini by name, and the bundled
 * fake agent (`cc-stress-fake-agent`, `fake-agent.js`, `cc-stress fake-agent`) as claude, whose output it
 * imitates. Anything else is `none`.
 */
export function detectAgent(argv: readonly string[]): AgentKind {
  let i = 0;
  for (;;) {
    while (i < argv.length && ASSIGNMENT.test(argv[i]!)) i += 1;
    const word = argv[i];
    if (word === undefined || !WRAPPERS.has(basename(word)) || i + 1 >= argv.length) break;
    i += 1;
    while (i < argv.length && argv[i]!.startsWith('-')) i += 1;
  }
  const program = argv[i];
  if (program === undefined) return 'none';
  const name = basename(program);
  if (AGENTS.has(name)) return name as AgentKind;
  if (FAKE_AGENT.has(name)) return 'claude';
  if (CC_STRESS.has(name) && argv[i + 1] === 'fake-agent') return 'claude';
  return 'none';
}
