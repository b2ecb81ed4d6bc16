import type { AgentCommand } from '../command/agents.js';
import { argText } from '../command/args.js';
import { type AnalysedCommand, analyseCommands, modelOf } from '../command/model.js';
import { quoteArgv } from '../command/quote.js';
import type { Config, TaskKind } from '../config.js';
import { compileUserPattern, type UserPattern } from '../text/user-pattern.js';
import { judgeCommand, judgePrompt } from './judge.js';
import { classKeyPrefix, displayText, safeName, shortHash, TOOL_NAME_MAX, VERB_MAX } from './keys.js';
import { isRunId, type LengthBucket, lengthBucket, maskWord } from './template.js';
import type { PlanInput } from './types.js';

/** Levels of a task's class, from the most specific to the most general. */
export const CLASS_LEVELS = ['fingerprint', 'template', 'verb', 'tool', 'kind'] as const;
export type ClassLevel = (typeof CLASS_LEVELS)[number];

export interface ClassLevelKey {
  level: ClassLevel;
  /** Stable, single-line, at most ~100 characters; e.g. `verb:claude -p`. */
  key: string;
  /** What the level stands for, for people (bounded, single line). */
  label: string;
}

export interface TaskClass {
  kind: TaskKind;
  tool: string;
  /** Tool and verb, e.g. `claude -p`, `npm test`, `cargo build`. */
  verb: string;
  category: string;
  /** low, medium, high or extreme from the rules; a suite hint may use its own word. */
  complexity: string;
  /** The program actually run, wrappers resolved (`claude`, `npm`, `fake-agent`). */
  program: string;
  /** The simulated agent runs in it: its classes live apart from every real tool's. */
  simulated: boolean;
  /** The five levels, most specific first. */
  levels: ClassLevelKey[];
  model?: string;
  prompt?: { chars: number; bucket: LengthBucket };
  /** Why the kind, category and complexity are what they are; one short line each. */
  reasons: string[];
}

type ClassifierRules = Config['classifier']['rules'];

const regexCache = new Map<string, UserPattern | null>();

function compiled(pattern: string): UserPattern | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = compileUserPattern(pattern, { ignoreCase: true });
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** User rules see at most this much of the command line, so that a huge prompt cannot stall a start. */
const RULE_TEXT_LIMIT = 64 * 1024;

function commandText(input: PlanInput): string {
  const text = input.argv.join(' ');
  return text.length > RULE_TEXT_LIMIT ? text.slice(0, RULE_TEXT_LIMIT) : text;
}

interface RuleOutcome {
  kind?: TaskKind;
  category?: string;
  complexity?: string;
  reasons: string[];
}

/** Config rules, in order; for each field the first matching rule that sets it wins. */
function applyRules(text: string, rules: ClassifierRules): RuleOutcome {
  const out: RuleOutcome = { reasons: [] };
  rules.forEach((rule, i) => {
    const re = compiled(rule.match);
    if (re === null || !re.test(text)) return;
    const set: string[] = [];
    if (rule.kind !== undefined && out.kind === undefined) {
      out.kind = rule.kind;
      set.push(`kind ${rule.kind}`);
    }
    if (rule.category !== undefined && out.category === undefined) {
      out.category = rule.category;
      set.push(`category ${rule.category}`);
    }
    if (rule.complexity !== undefined && out.complexity === undefined) {
      out.complexity = rule.complexity;
      set.push(`complexity ${rule.complexity}`);
    }
    if (set.length > 0)
      out.reasons.push(`config rule ${i + 1} /${displayText(rule.match, 40)}/ → ${set.join(', ')}`);
  });
  return out;
}

function agentTemplate(
  a: AnalysedCommand,
  agent: AgentCommand,
  judged: { category: string; complexity: string },
): string[] {
  const flags: string[] = [];
  agent.args.forEach((arg, i) => {
    if (arg.type !== 'flag' || agent.structural.has(i)) return;
    const value =
      arg.value === undefined ? undefined : agent.keepsValue(arg.name) ? arg.value : maskWord(arg.value);
    flags.push(argText(arg, value));
  });
  // Agent CLIs do not care about flag order, so neither does the template.
  flags.sort();
  return [
    a.verb,
    ...flags,
    `<prompt:${lengthBucket(agent.prompt.length)}>`,
    `cat=${judged.category}`,
    `cx=${judged.complexity}`,
  ];
}

function commandTemplate(a: AnalysedCommand): string[] {
  const out = [a.command.tool];
  a.args.forEach((arg, i) => {
    if (a.verbIndices.has(i)) out.push(argText(arg));
    else if (arg.type === 'word') out.push(maskWord(arg.text));
    else out.push(argText(arg, arg.value === undefined ? undefined : maskWord(arg.value)));
  });
  return out;
}

function envTemplate(env: readonly string[]): string[] {
  return [...env].sort().map((assignment) => maskWord(assignment));
}

/** Absolute paths keep their meaning without a trailing slash; the cwd is compared as written. */
function normaliseCwd(cwd: string): string {
  return cwd.length > 1 ? cwd.replace(/[/\\]+$/, '') : cwd;
}

/**
 * Classifies a task, from its exact command down to its kind. Pure, deterministic and total: any input
 * gives a valid class, and the same input always gives the same class.
 */
export function classify(input: PlanInput, rules: ClassifierRules = []): TaskClass {
  try {
    return classifyCommand(input, rules);
  } catch {
    return opaqueClass(input);
  }
}

function classifyCommand(input: PlanInput, rules: ClassifierRules): TaskClass {
  const { all: analysed, main } = analyseCommands(input.argv, input.shell);
  const command = modelOf(analysed, main);
  const prefix = classKeyPrefix(command.simulated);
  const tool = main?.command.tool ?? 'none';
  const reasons: string[] = [];
  let kind: TaskKind = main?.kind ?? 'other';
  if (main !== undefined) reasons.push(main.kindReason);
  if (input.agent !== 'none' && kind !== 'llm-agent') {
    kind = 'llm-agent';
    reasons.push(`the suite runs it with the ${input.agent} agent adapter → llm-agent`);
  }
  const ruled = applyRules(commandText(input), rules);
  if (ruled.kind !== undefined) kind = ruled.kind;

  const prompt =
    main?.agent?.prompt ??
    (kind === 'llm-agent' && main !== undefined
      ? main.args.flatMap((a) => (a.type === 'word' ? [a.text] : [])).join(' ')
      : undefined);
  const judged =
    kind === 'llm-agent' ? judgePrompt(prompt ?? '') : judgeCommand(kind, tool, main?.args ?? []);
  reasons.push(...judged.reasons, ...ruled.reasons);
  const derived = {
    category: ruled.category ?? judged.category,
    complexity: ruled.complexity ?? judged.complexity,
  };
  let category = derived.category;
  let complexity: string = derived.complexity;
  if (input.category !== undefined && input.category !== '') {
    category = input.category;
    reasons.push(`suite says category ${input.category}`);
  }
  if (input.complexity !== undefined && input.complexity !== '') {
    complexity = input.complexity;
    reasons.push(`suite says complexity ${input.complexity}`);
  }

  // Keys use the rule-derived category and complexity, never the suite's hints, so that adding a hint
  // to a suite does not orphan the history of its tasks.
  const templateParts: string[] = [];
  const fingerprintParts: string[] = [];
  for (const a of analysed) {
    const env = envTemplate(a.command.env);
    const body =
      a === main && a.agent !== undefined ? agentTemplate(a, a.agent, derived) : commandTemplate(a);
    templateParts.push([...env, ...body].join(' '));
    fingerprintParts.push(
      [
        ...[...a.command.env].sort(),
        a.command.tool,
        ...a.command.args.map((w) => (isRunId(w) ? '<id>' : w)),
      ].join('\u0001'),
    );
  }
  const template = templateParts.join(' ; ');
  const model = main?.agent?.model;
  const cwd = normaliseCwd(input.cwd);
  const fingerprint = [fingerprintParts.join('\u0002'), `model=${model ?? ''}`, `cwd=${cwd}`].join('\u0000');

  const verb = safeName(main?.verb ?? tool, VERB_MAX);
  const toolName = safeName(tool, TOOL_NAME_MAX);
  const shown = displayText(input.shell ? input.argv.join(' ') : quoteArgv(input.argv), 100);
  return {
    kind,
    tool: toolName,
    verb,
    category,
    complexity,
    levels: [
      {
        level: 'fingerprint',
        key: `${prefix}fp:${verb}:${shortHash(fingerprint)}`,
        label: displayText(`${shown} (in ${cwd})`, 160),
      },
      {
        level: 'template',
        key: `${prefix}tpl:${verb}:${shortHash(template)}`,
        label: displayText(template, 160),
      },
      { level: 'verb', key: `${prefix}verb:${verb}`, label: verb },
      { level: 'tool', key: `${prefix}tool:${toolName}`, label: toolName },
      // The simulated agent is its own tool: even its kind level never mixes with real agents' runs.
      {
        level: 'kind',
        key: `${prefix}kind:${kind}`,
        label: command.simulated ? `${kind} (simulated)` : kind,
      },
    ],
    program: safeName(command.program, TOOL_NAME_MAX),
    simulated: command.simulated,
    model: model === undefined ? undefined : displayText(model, 60),
    prompt: prompt === undefined ? undefined : { chars: prompt.length, bucket: lengthBucket(prompt.length) },
    reasons: reasons.map((r) => displayText(r, 160)),
  };
}

/** The class of an input the classifier could not read; still valid, stable and distinct. */
function opaqueClass(input: PlanInput): TaskClass {
  let material: string;
  try {
    material = JSON.stringify([input.argv, input.shell, input.cwd]);
  } catch {
    material = String(input.argv);
  }
  const hash = shortHash(material);
  const prefix = classKeyPrefix(false);
  return {
    kind: 'other',
    tool: 'unknown',
    verb: 'unknown',
    category: input.category || 'simple',
    complexity: input.complexity || 'low',
    levels: [
      { level: 'fingerprint', key: `${prefix}fp:unknown:${hash}`, label: 'unreadable command' },
      { level: 'template', key: `${prefix}tpl:unknown:${hash}`, label: 'unreadable command' },
      { level: 'verb', key: `${prefix}verb:unknown`, label: 'unknown' },
      { level: 'tool', key: `${prefix}tool:unknown`, label: 'unknown' },
      { level: 'kind', key: `${prefix}kind:other`, label: 'other' },
    ],
    program: 'unknown',
    simulated: false,
    reasons: ['the command could not be read'],
  };
}

/** All class keys of a class, most specific first: what history is recorded under. */
export function classKeys(cls: TaskClass): string[] {
  return cls.levels.map((l) => l.key);
}
