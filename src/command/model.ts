import type { TaskKind } from '../config.js';
import type { AgentKind } from '../suite/types.js';
import { type AgentCommand, analyseAgent } from './agents.js';
import type { Arg } from './args.js';
import { analyseTool, isSetupTool } from './tools.js';
import { type SimpleCommand, simpleCommands } from './unwrap.js';

/**
 * The one reading of a task's command that everything shares: the classifier keys history by it, the
 * executors parse an agent's events by it, history records where a run came from by it.
 */

/** One simple command of a task, read as far as its verb. */
export interface AnalysedCommand {
  command: SimpleCommand;
  verb: string;
  kind: TaskKind;
  kindReason: string;
  args: Arg[];
  agent?: AgentCommand;
  /** Indices of args kept verbatim in the template (verb words). */
  verbIndices: ReadonlySet<number>;
}

export interface CommandModel {
  /** The program that does the work, wrappers resolved, as a normalised tool name: `claude`, `npm`, `fake-agent`. */
  program: string;
  /** Program and verb: `claude -p`, `codex exec`, `npm test`, `cargo build`. */
  verb: string;
  /** Whose event stream its output is: what the executors parse it as. */
  agent: AgentKind;
  /** The simulated agent (`cc-stress-fake-agent`, `cc-stress fake-agent`) runs somewhere in it. */
  simulated: boolean;
  /** The work's arguments, wrappers and their options removed. */
  args: string[];
  /** `NAME=value` assignments given in front or through `env`. */
  env: string[];
  /** Wrappers peeled off the work, outermost first. */
  wrappers: string[];
}

/** The simulated agent's tool name once wrappers and spellings are resolved. */
export const SIMULATED_AGENT = 'fake-agent';

const KIND_WEIGHT: Readonly<Record<TaskKind, number>> = { 'llm-agent': 3, test: 2, build: 1, other: 0 };
const PARSED_AGENTS: ReadonlySet<string> = new Set(['claude', 'codex', 'gemini']);

function analyse(command: SimpleCommand): AnalysedCommand {
  const agent = analyseAgent(command.tool, command.args);
  if (agent !== undefined) {
    return {
      command,
      verb: agent.verb,
      kind: 'llm-agent',
      kindReason: `${command.tool} is a coding-agent CLI`,
      args: agent.args,
      agent,
      verbIndices: agent.structural,
    };
  }
  const tool = analyseTool(command.tool, command.args);
  return {
    command,
    verb: tool.verb,
    kind: tool.kind,
    kindReason: tool.kindReason,
    args: tool.args,
    verbIndices: tool.verbIndices,
  };
}

/**
 * The command that does the work in a line such as `cd app && npm ci && npm test`: set-up commands
 * are skipped, then the heaviest kind wins (agent > test > build > other), the last one on a tie.
 */
function mainCommand(all: readonly AnalysedCommand[]): AnalysedCommand | undefined {
  let best: AnalysedCommand | undefined;
  for (const a of all) {
    if (isSetupTool(a.command.tool) && all.some((b) => !isSetupTool(b.command.tool))) continue;
    if (best === undefined || KIND_WEIGHT[a.kind] >= KIND_WEIGHT[best.kind]) best = a;
  }
  return best;
}

/** Every simple command of a task, analysed, and the one that does the work. */
export function analyseCommands(
  argv: readonly string[],
  shell: boolean,
): { all: AnalysedCommand[]; main: AnalysedCommand | undefined } {
  const all = simpleCommands(argv, shell).map(analyse);
  return { all, main: mainCommand(all) };
}

/** The output format the simulated agent imitates: `--fake-format codex`, else claude's. */
function simulatedFormat(args: readonly string[]): AgentKind {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value =
      a === '--fake-format' ? args[i + 1] : a.startsWith('--fake-format=') ? a.slice(14) : undefined;
    if (value !== undefined) return PARSED_AGENTS.has(value) ? (value as AgentKind) : 'none';
  }
  return 'claude';
}

function agentOf(command: SimpleCommand | undefined): AgentKind {
  if (command === undefined) return 'none';
  if (command.tool === SIMULATED_AGENT) return simulatedFormat(command.args);
  return PARSED_AGENTS.has(command.tool) ? (command.tool as AgentKind) : 'none';
}

/** Reads a task's command: argv[0] is a shell line when `shell`, else argv is the command itself. */
export function describeCommand(argv: readonly string[], shell = false): CommandModel {
  const { all, main } = analyseCommands(argv, shell);
  return modelOf(all, main);
}

export function modelOf(all: readonly AnalysedCommand[], main: AnalysedCommand | undefined): CommandModel {
  return {
    program: main?.command.tool ?? 'none',
    verb: main?.verb ?? 'none',
    agent: agentOf(main?.command),
    simulated: all.some((a) => a.command.tool === SIMULATED_AGENT),
    args: main?.command.args ?? [],
    env: main?.command.env ?? [],
    wrappers: main?.command.wrappers ?? [],
  };
}

/** Which agent's events a command's output carries, through any wrappers; `none` for anything else. */
export function detectAgent(argv: readonly string[], shell = false): AgentKind {
  try {
    return describeCommand(argv, shell).agent;
  } catch {
    return 'none';
  }
}
