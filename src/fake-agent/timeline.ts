import type { FakeAgentOptions } from './options.js';
import { createRng, jitter, type Rng, uuid } from './rng.js';

export interface ToolCall {
  id: string;
  /** Claude's tool name; other formats translate it. */
  name: 'Bash' | 'Read' | 'Grep' | 'Edit' | 'Write';
  input: Record<string, string>;
}

/** What the agent does, independent of how a given CLI prints it. */
export type ScriptEvent =
  | { type: 'init' }
  /** Assistant text: `bytes` of filler from `textSeed`, then `suffix` (the final answer on the last turn). */
  | { type: 'text'; turn: number; bytes: number; textSeed: number; suffix: string; final: boolean }
  | { type: 'tool-use'; turn: number; tool: ToolCall }
  | { type: 'task-started'; toolId: string; taskId: string; description: string }
  | { type: 'task-notification'; toolId: string; taskId: string }
  | { type: 'tool-result'; toolId: string; output: string }
  | { type: 'retry'; attempt: number; maxRetries: number; delayMs: number; status: number }
  | { type: 'end'; ending: Ending };

export type Ending =
  | { kind: 'success' }
  /** The API kept failing with this status (429 rate limit, 529 overloaded) until retries ran out. */
  | { kind: 'api-error'; status: number }
  | { kind: 'max-turns' }
  | { kind: 'exit'; code: number }
  | { kind: 'hang' }
  | { kind: 'crash'; how: 'segv' | 'abort' | 'exit' }
  | { kind: 'busy-hang' }
  | { kind: 'output-loop' };

/** Why the process says nothing before an event: each is a silence a watchdog must tell from a hang. */
export type Silence = 'gap' | 'think' | 'tool' | 'retry';

export interface Step {
  waitMs: number;
  silence: Silence;
  event: ScriptEvent;
}

export interface Plan {
  seed: number;
  sessionId: string;
  model: string;
  /** The jittered total the steps add up to (when the fixed silences fit in it). */
  plannedMs: number;
  /** Play this many events, then stay silent forever (hang-after:N). */
  hangAfterEvents: number | undefined;
  steps: Step[];
}

const MAX_BLOCK_BYTES = 16 * 1024;
/** The real CLI announces a long shell command as a background task about 3 s in. */
const TASK_STARTED_AFTER_MS = 3000;

const DEFAULT_MODELS = {
  claude: 'claude-sonnet-4-5',
  codex: 'gpt-5-codex',
  gemini: 'gemini-2.5-pro',
} as const;

function toolCall(rng: Rng, index: number, long: boolean): ToolCall {
  const id = `toolu_${uuid(rng).replaceAll('-', '').slice(0, 24)}`;
  if (long)
    return { id, name: 'Bash', input: { command: 'npm test', description: 'Run the full test suite' } };
  const file = rng.pick([
    'src/index.ts',
    'src/parser.ts',
    'src/config.ts',
    'test/parser.test.ts',
    'README.md',
  ]);
  switch (rng.pick(['Bash', 'Read', 'Grep', 'Edit', 'Write'] as const)) {
    case 'Bash':
      return {
        id,
        name: 'Bash',
        input: { command: 'npx tsc --noEmit', description: 'Type-check the project' },
      };
    case 'Read':
      return { id, name: 'Read', input: { file_path: file } };
    case 'Grep':
      return {
        id,
        name: 'Grep',
        input: { pattern: rng.pick(['TODO', 'parse', 'export function']), path: 'src' },
      };
    case 'Edit':
      return {
        id,
        name: 'Edit',
        input: { file_path: file, old_string: `step ${index}`, new_string: `step ${index + 1}` },
      };
    case 'Write':
      return {
        id,
        name: 'Write',
        input: { file_path: `notes/step-${index}.md`, content: `Step ${index} done.` },
      };
  }
}

/** Splits `total` into `count` parts proportional to random weights (whole milliseconds, exact sum). */
function spread(rng: Rng, total: number, count: number): number[] {
  if (count === 0) return [];
  const weights = Array.from({ length: count }, () => 0.3 + rng.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((Math.max(0, total) * w) / sum));
  parts[parts.length - 1]! += Math.max(0, total) - parts.reduce((a, b) => a + b, 0);
  return parts;
}

function ending(options: FakeAgentOptions, turnsPlayed: number): Ending {
  const fail = options.fail;
  if (fail === undefined || fail.kind === 'hang-after') {
    return options.maxTurns !== undefined &&
      turnsPlayed >= options.maxTurns &&
      options.turns > options.maxTurns
      ? { kind: 'max-turns' }
      : { kind: 'success' };
  }
  switch (fail.kind) {
    case 'exit':
      return { kind: 'exit', code: fail.code };
    case 'max-turns':
      return { kind: 'max-turns' };
    case 'crash':
      return { kind: 'crash', how: fail.how };
    default:
      return { kind: 'success' };
  }
}

/** Init, then retries spaced like exponential backoff filling the session, then the final API error. */
function retryingSteps(
  rng: Rng,
  options: FakeAgentOptions,
  initMs: number,
  total: number,
  status: number,
): Step[] {
  const retries = options.retries;
  const rest = Math.max(0, total - initMs);
  const firstAttempt = Math.round(rest * 0.05);
  const growth = Array.from({ length: retries }, (_, i) => 2 ** i * (0.8 + 0.4 * rng.next()));
  const scale =
    (rest - firstAttempt) /
    Math.max(
      1,
      growth.reduce((a, b) => a + b, 0),
    );
  const delays = growth.map((g) => Math.round(g * scale));
  const steps: Step[] = [{ waitMs: initMs, silence: 'gap', event: { type: 'init' } }];
  delays.forEach((delayMs, i) => {
    steps.push({
      waitMs: i === 0 ? firstAttempt : delays[i - 1]!,
      silence: 'retry',
      event: { type: 'retry', attempt: i + 1, maxRetries: retries, delayMs, status },
    });
  });
  const lastWait = retries === 0 ? rest - firstAttempt : delays[retries - 1]!;
  steps.push({
    waitMs: lastWait,
    silence: 'retry',
    event: { type: 'end', ending: { kind: 'api-error', status } },
  });
  return steps;
}

/** The whole session, decided up front from the options and the seed: same seed, same timeline. */
export function planSession(options: FakeAgentOptions): Plan {
  const rng = createRng(options.seed);
  const sessionId = uuid(rng);
  const plannedMs = Math.max(0, jitter(rng, options.durationMs, options.jitter));
  // Short scripted sessions keep the same shape: init never takes more than a quarter of the session.
  const initMs = Math.round(Math.min(400, plannedMs / 4));
  const base = {
    seed: options.seed,
    sessionId,
    model: options.model ?? DEFAULT_MODELS[options.format],
    plannedMs,
    hangAfterEvents: options.fail?.kind === 'hang-after' ? options.fail.events : undefined,
  };
  const fail = options.fail?.kind;
  if (fail === 'rate-limit' || fail === 'overloaded') {
    const status = fail === 'rate-limit' ? 429 : 529;
    return { ...base, steps: retryingSteps(rng, options, initMs, plannedMs, status) };
  }
  if (fail === 'hang' || fail === 'busy-hang' || fail === 'output-loop') {
    return {
      ...base,
      steps: [
        { waitMs: initMs, silence: 'gap', event: { type: 'init' } },
        { waitMs: 0, silence: 'gap', event: { type: 'end', ending: { kind: fail } } },
      ],
    };
  }

  const turns = options.maxTurns !== undefined ? Math.min(options.turns, options.maxTurns) : options.turns;
  const longToolTurn = options.toolDurationMs > 0 && turns > 1 ? Math.ceil((turns - 1) / 2) : undefined;
  const thinkBefore = new Map<number, number>();
  for (let i = 0; i < options.thinkCount; i++) {
    const turn = Math.floor((i * turns) / options.thinkCount) + 1;
    thinkBefore.set(turn, (thinkBefore.get(turn) ?? 0) + 1);
  }
  const bytesPerTurn = spread(rng, options.outputBytes, turns);

  // Fixed silences (thinking, the long tool) are kept as asked; the gaps share whatever time is left.
  const fixed: Array<{ silence: Silence; waitMs: number; event: ScriptEvent }> = [];
  fixed.push({ silence: 'gap', waitMs: -1, event: { type: 'init' } });
  let toolIndex = 0;
  for (let turn = 1; turn <= turns; turn++) {
    const thinks = thinkBefore.get(turn) ?? 0;
    const final = turn === turns;
    const bytes = bytesPerTurn[turn - 1] ?? 0;
    const blocks = Math.max(1, Math.ceil(bytes / MAX_BLOCK_BYTES));
    for (let b = 0; b < blocks; b++) {
      const last = b === blocks - 1;
      fixed.push({
        silence: b === 0 && thinks > 0 ? 'think' : 'gap',
        waitMs: b === 0 && thinks > 0 ? options.thinkMs * thinks : -1,
        event: {
          type: 'text',
          turn,
          bytes: last ? bytes - MAX_BLOCK_BYTES * (blocks - 1) : MAX_BLOCK_BYTES,
          textSeed: rng.int(0, 2 ** 31),
          suffix: final && last ? `${bytes > 0 ? '\n\n' : ''}${options.resultText}` : '',
          final: final && last,
        },
      });
    }
    if (final) break;
    const long = turn === longToolTurn;
    const tool = toolCall(rng, ++toolIndex, long);
    fixed.push({ silence: 'gap', waitMs: -1, event: { type: 'tool-use', turn, tool } });
    if (long) {
      const taskId = uuid(rng).slice(0, 8);
      const before = Math.round(Math.min(TASK_STARTED_AFTER_MS, options.toolDurationMs / 4));
      fixed.push({
        silence: 'tool',
        waitMs: before,
        event: { type: 'task-started', toolId: tool.id, taskId, description: tool.input.description ?? '' },
      });
      fixed.push({
        silence: 'tool',
        waitMs: options.toolDurationMs - before,
        event: { type: 'task-notification', toolId: tool.id, taskId },
      });
    }
    const output = long ? 'Tests: 128 passed, 128 total' : `ok (${tool.name})`;
    fixed.push({
      silence: 'gap',
      waitMs: long ? 0 : -1,
      event: { type: 'tool-result', toolId: tool.id, output },
    });
  }
  const end = ending(options, turns);
  fixed.push({ silence: 'gap', waitMs: -1, event: { type: 'end', ending: end } });

  const fixedMs = fixed.reduce((sum, step) => sum + Math.max(0, step.waitMs), 0);
  const gapIndexes = fixed.flatMap((step, i) => (step.waitMs < 0 && i > 0 ? [i] : []));
  const gaps = spread(rng, plannedMs - initMs - fixedMs, gapIndexes.length);
  const steps = fixed.map((step, i) => ({ ...step, waitMs: i === 0 ? initMs : Math.max(0, step.waitMs) }));
  gapIndexes.forEach((index, i) => {
    steps[index]!.waitMs = gaps[i] ?? 0;
  });

  if (end.kind === 'crash') {
    // Dies mid-stream: about half-way through, before any final answer.
    const cut = Math.max(2, Math.floor(steps.length / 2));
    return {
      ...base,
      steps: [...steps.slice(0, cut), { waitMs: 0, silence: 'gap', event: { type: 'end', ending: end } }],
    };
  }
  return { ...base, steps };
}
