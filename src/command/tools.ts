import type { TaskKind } from '../config.js';
import { type Arg, parseArgs } from './args.js';
import { type ScriptTool, TOOLS } from './tool-table.js';

/**
 * Reads a build, test or general tool's command line with the table of tool-table.ts: finds the verb
 * (`npm run build`, `cargo test`, `make check`) and the kind of work it does.
 */

export interface ToolCommand {
  /** Tool plus its verb, e.g. `cargo test`, `npm run build`, `pytest`. */
  verb: string;
  kind: TaskKind;
  /** One short line: why this kind. */
  kindReason: string;
  args: Arg[];
  /** Indices into `args` of the words that make up the verb (kept verbatim in templates). */
  verbIndices: ReadonlySet<number>;
}

/** Commands that only set up the shell around the real work (`cd dir && npm test`). */
export function isSetupTool(tool: string): boolean {
  return ['cd', 'export', 'set', 'source', '.', 'true', ':', 'echo', 'printf', 'test', '['].includes(tool);
}

const TESTISH = /(^|[^a-z])(tests?|specs?|e2e|integration|unit|coverage|cov|check|verify|ci)([^a-z]|$)/i;
const BUILDISH =
  /build|compile|bundle|dist|pack(age)?|prepare|tsc|typecheck|webpack|rollup|transpile|assemble|install|release|all$/i;
const OTHERISH = /^(clean|lint|fmt|format|run|serve|start|dev|deploy|docs?|watch|help|bench)$/i;

/** Kind from a script, target or tool name, e.g. `test:unit` → test, `build:prod` → build. */
export function kindFromName(name: string, otherwise: TaskKind): TaskKind {
  if (OTHERISH.test(name)) return 'other';
  if (TESTISH.test(name)) return 'test';
  if (BUILDISH.test(name)) return 'build';
  return otherwise;
}

const SUBCOMMAND_WORD = /^[a-z][a-z0-9_.:-]{0,31}$/;
/** Unknown tools: a word with a dot is far more often a file than a subcommand. */
const UNKNOWN_SUBCOMMAND_WORD = /^[a-z][a-z0-9_:-]{0,31}$/;
const MAX_NAME = 40;

/** Makes a script, target or file name safe and short for a verb. */
function shortName(name: string): string {
  const base = name.replace(/\\/g, '/').replace(/\/+$/, '').split('/').pop() ?? name;
  return base.length > MAX_NAME ? base.slice(0, MAX_NAME) : base;
}

function firstWordIndex(args: readonly Arg[], from = 0): number | undefined {
  for (let i = from; i < args.length; i++) if (args[i]!.type === 'word') return i;
  return undefined;
}

function text(args: readonly Arg[], i: number): string {
  const a = args[i]!;
  return a.type === 'word' ? a.text : a.name;
}

/** A subcommand the table knows (or a script named like one), verb and kind as the table gives them. */
function knownVerb(
  tool: string,
  word: string,
  kind: TaskKind,
  args: Arg[],
  verbIndices: Set<number>,
): ToolCommand {
  return {
    verb: `${tool} ${word}`,
    kind,
    kindReason: `${tool} ${word} is a ${kind} command`,
    args,
    verbIndices,
  };
}

export function analyseTool(tool: string, rawArgs: readonly string[]): ToolCommand {
  const spec = TOOLS[tool];
  const verbIndices = new Set<number>();
  if (spec === undefined) return analyseUnknown(tool, rawArgs);
  if (spec.style === 'plain') {
    return {
      verb: tool,
      kind: spec.kind,
      kindReason: `${tool} is a plain command`,
      args: parseArgs(rawArgs),
      verbIndices,
    };
  }
  const args = parseArgs(toolchainStripped(tool, rawArgs), spec.rules);
  switch (spec.style) {
    case 'single':
      return { verb: tool, kind: spec.kind, kindReason: `${tool} is a ${spec.kind} tool`, args, verbIndices };
    case 'subcommand': {
      const at = firstWordIndex(args);
      const sub = at === undefined ? undefined : text(args, at);
      const nested = sub === undefined ? undefined : spec.nested?.[sub];
      if (nested !== undefined && at !== undefined) {
        verbIndices.add(at);
        const at2 = firstWordIndex(args, at + 1);
        const entry = at2 === undefined ? undefined : nested[text(args, at2)];
        if (entry !== undefined && at2 !== undefined) {
          verbIndices.add(at2);
          return knownVerb(tool, entry[0], entry[1], args, verbIndices);
        }
        return {
          verb: `${tool} ${sub}`,
          kind: spec.otherwise,
          kindReason: `${tool} ${sub}`,
          args,
          verbIndices,
        };
      }
      const entry = sub === undefined ? undefined : spec.subs[sub];
      if (entry !== undefined && at !== undefined) {
        verbIndices.add(at);
        return knownVerb(tool, entry[0], entry[1], args, verbIndices);
      }
      if (sub !== undefined && at !== undefined && SUBCOMMAND_WORD.test(sub)) {
        verbIndices.add(at);
        const kind = kindFromName(sub, spec.otherwise);
        return { verb: `${tool} ${sub}`, kind, kindReason: `"${sub}" reads as ${kind}`, args, verbIndices };
      }
      return {
        verb: tool,
        kind: spec.otherwise,
        kindReason: `${tool} without a known subcommand`,
        args,
        verbIndices,
      };
    }
    case 'target': {
      const targets: number[] = [];
      args.forEach((a, i) => {
        // `make CC=clang` sets a variable; `nx run app:build` names project and target.
        if (a.type === 'word' && !a.text.includes('=') && SUBCOMMAND_WORD.test(a.text.split(':').pop() ?? ''))
          targets.push(i);
      });
      if (tool === 'turbo' || tool === 'nx') {
        if (targets[0] !== undefined && ['run', 'run-many', 'affected'].includes(text(args, targets[0]))) {
          verbIndices.add(targets[0]);
          targets.shift();
        }
      }
      const at = spec.pick === 'first' ? targets[0] : targets[targets.length - 1];
      if (at === undefined) {
        return {
          verb: tool,
          kind: spec.otherwise,
          kindReason: `${tool} with its default target`,
          args,
          verbIndices,
        };
      }
      verbIndices.add(at);
      const target = shortName(text(args, at).split(':').pop() ?? '');
      const kind = kindFromName(target, spec.otherwise);
      return {
        verb: `${tool} ${target}`,
        kind,
        kindReason: `target "${target}" reads as ${kind}`,
        args,
        verbIndices,
      };
    }
    case 'scripts':
      return analyseScripts(tool, spec, args);
    case 'interpreter':
      return analyseInterpreter(tool, args);
  }
}

/** `cargo +nightly build`: the toolchain selector is not part of what runs. */
function toolchainStripped(tool: string, args: readonly string[]): readonly string[] {
  return tool === 'cargo' && args[0]?.startsWith('+') ? args.slice(1) : args;
}

function analyseScripts(tool: string, spec: ScriptTool, args: Arg[]): ToolCommand {
  const verbIndices = new Set<number>();
  const at = firstWordIndex(args);
  if (at === undefined) {
    return {
      verb: `${tool} install`,
      kind: 'build',
      kindReason: `bare ${tool} installs dependencies`,
      args,
      verbIndices,
    };
  }
  verbIndices.add(at);
  let sub = text(args, at);
  let scriptAt: number | undefined;
  if (sub === 'workspace' && tool === 'yarn') {
    // `yarn workspace NAME script`: the workspace name is a target, the script follows it.
    const nameAt = firstWordIndex(args, at + 1);
    if (nameAt !== undefined) verbIndices.add(nameAt);
    scriptAt = nameAt === undefined ? undefined : firstWordIndex(args, nameAt + 1);
    if (scriptAt !== undefined && text(args, scriptAt) === 'run') {
      verbIndices.add(scriptAt);
      scriptAt = firstWordIndex(args, scriptAt + 1);
    }
    sub = scriptAt === undefined ? 'install' : text(args, scriptAt);
  } else if (sub === 'run' || sub === 'run-script' || sub === 'rum' || sub === 'urn') {
    scriptAt = firstWordIndex(args, at + 1);
    if (scriptAt === undefined) {
      return {
        verb: `${tool} run`,
        kind: 'other',
        kindReason: `${tool} run lists scripts`,
        args,
        verbIndices,
      };
    }
    sub = text(args, scriptAt);
  } else {
    const builtin = spec.builtins[sub];
    if (builtin !== undefined) return knownVerb(tool, builtin[0], builtin[1], args, verbIndices);
    if (!spec.bareScripts) {
      return {
        verb: `${tool} ${shortName(sub)}`,
        kind: 'other',
        kindReason: `${tool} ${shortName(sub)}`,
        args,
        verbIndices,
      };
    }
  }
  if (scriptAt !== undefined) verbIndices.add(scriptAt);
  const script = shortName(sub);
  if (script === 'test' || script === 'start') {
    return knownVerb(tool, script, script === 'test' ? 'test' : 'other', args, verbIndices);
  }
  const kind = kindFromName(script, 'other');
  return {
    verb: `${tool} run ${script}`,
    kind,
    kindReason: `script "${script}" reads as ${kind}`,
    args,
    verbIndices,
  };
}

function analyseInterpreter(tool: string, args: Arg[]): ToolCommand {
  const verbIndices = new Set<number>();
  for (const [i, a] of args.entries()) {
    if (a.type === 'flag' && (a.name === '--test' || (a.name === '-m' && a.value === 'unittest'))) {
      return {
        verb: `${tool} ${argLabel(a)}`,
        kind: 'test',
        kindReason: `${tool} ${argLabel(a)} runs tests`,
        args,
        verbIndices,
      };
    }
    if (
      a.type === 'flag' &&
      (a.name === '-m' || a.name === '-c' || a.name === '-e') &&
      a.value !== undefined
    ) {
      const label = a.name === '-m' ? `-m ${shortName(a.value)}` : a.name;
      const kind = a.name === '-m' ? kindFromName(a.value, 'other') : 'other';
      verbIndices.add(i);
      return { verb: `${tool} ${label}`, kind, kindReason: `${tool} ${label}`, args, verbIndices };
    }
    if (a.type === 'word') {
      verbIndices.add(i);
      const script = shortName(a.text);
      const kind = kindFromName(script.replace(/\.[a-z]+$/i, ''), 'other');
      return {
        verb: `${tool} ${script}`,
        kind,
        kindReason: `script "${script}" reads as ${kind}`,
        args,
        verbIndices,
      };
    }
  }
  return { verb: tool, kind: 'other', kindReason: `${tool} without a script`, args, verbIndices };
}

function argLabel(a: Arg): string {
  return a.type === 'word' ? a.text : a.value === undefined ? a.name : `${a.name} ${a.value}`;
}

function analyseUnknown(tool: string, rawArgs: readonly string[]): ToolCommand {
  const args = parseArgs(rawArgs);
  const verbIndices = new Set<number>();
  const at = firstWordIndex(args);
  const sub = at === undefined ? undefined : text(args, at);
  const toolKind = kindFromName(tool.replace(/\.[a-z]+$/i, ''), 'other');
  if (sub !== undefined && at !== undefined && UNKNOWN_SUBCOMMAND_WORD.test(sub)) {
    verbIndices.add(at);
    const kind = toolKind !== 'other' ? toolKind : kindFromName(sub, 'other');
    return {
      verb: `${tool} ${sub}`,
      kind,
      kindReason: `"${tool} ${sub}" reads as ${kind}`,
      args,
      verbIndices,
    };
  }
  return { verb: tool, kind: toolKind, kindReason: `"${tool}" reads as ${toolKind}`, args, verbIndices };
}
