import type { AgentKind } from '../../suite/types.js';
import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import { createGeminiAdapter } from './gemini.js';
import type { AgentAdapter } from './types.js';

export type { AgentAdapter, ExpectationTracker } from './types.js';

/** For plain commands: their output is judged by expectations alone. */
const silentAdapter: AgentAdapter = {
  onLine: () => [],
  finished: () => undefined,
};

/** One adapter per task attempt: adapters remember turns and the final event. */
export function createAgentAdapter(kind: AgentKind): AgentAdapter {
  switch (kind) {
    case 'claude':
      return createClaudeAdapter();
    case 'codex':
      return createCodexAdapter();
    case 'gemini':
      return createGeminiAdapter();
    case 'none':
      return silentAdapter;
  }
}
