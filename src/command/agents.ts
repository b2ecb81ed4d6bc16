import { type Arg, type ArgRules, flagValue, hasFlag, parseArgs } from './args.js';

/**
 * What the classifier knows about coding-agent CLIs: which flag makes them non-interactive, where the
 * prompt is, which flag names the model. The simulated agent is one of them because its timing is
 * meant to behave like `claude -p`.
 */

interface AgentSpec {
  /** Boolean flags that make the run one-shot (`claude -p`). */
  printFlags?: readonly string[];
  /** Flags whose value is the prompt (`gemini -p PROMPT`). */
  promptFlags?: readonly string[];
  modelFlags: readonly string[];
  /** Subcommands that are one-shot runs whose remaining words are the prompt (`codex exec`). */
  runSubcommands?: Readonly<Record<string, string>>;
  /** Other subcommands, which are not prompts (`claude mcp`). */
  otherSubcommands?: readonly string[];
  /** The model is the first word after the run subcommand (`ollama run llama3 "…"`). */
  modelIsFirstWord?: boolean;
  valueFlags: readonly string[];
  /** Flags (by prefix) whose values change the timing and so stay verbatim in templates. */
  timingFlagPrefixes?: readonly string[];
  /** Flags with a timing prefix whose values vary per run without changing the timing (seeds, paths). */
  notTimingFlags?: readonly string[];
}

const CLAUDE_VALUE_FLAGS = [
  '--output-format',
  '--input-format',
  '--model',
  '--fallback-model',
  '--max-turns',
  '--allowedTools',
  '--allowed-tools',
  '--disallowedTools',
  '--disallowed-tools',
  '--tools',
  '--permission-mode',
  '--permission-prompt-tool',
  '--append-system-prompt',
  '--append-system-prompt-file',
  '--system-prompt',
  '--system-prompt-file',
  '--mcp-config',
  '--session-id',
  '-r',
  '--resume',
  '--add-dir',
  '--settings',
  '--setting-sources',
  '--max-budget-usd',
  '--agents',
  '--agent',
  '--json-schema',
  '--plugin-dir',
  '--betas',
];

const CLAUDE: AgentSpec = {
  printFlags: ['-p', '--print'],
  modelFlags: ['--model'],
  otherSubcommands: [
    'mcp',
    'config',
    'update',
    'doctor',
    'install',
    'migrate-installer',
    'setup-token',
    'plugin',
  ],
  valueFlags: CLAUDE_VALUE_FLAGS,
};

const AGENTS: Readonly<Record<string, AgentSpec>> = {
  claude: CLAUDE,
  // The simulated agent (src/fake-agent/options.ts): claude's flags, gemini's and codex's spellings, and
  // --fake-* flags that script its timing. Unknown future --fake-* flags are guessed to take a value.
  'fake-agent': {
    ...CLAUDE,
    modelFlags: ['--model', '-m'],
    runSubcommands: { exec: 'exec' },
    otherSubcommands: [],
    valueFlags: [
      ...CLAUDE_VALUE_FLAGS,
      '-o',
      '-m',
      '--max-turns',
      '--approval-mode',
      '--sandbox',
      '--config',
      '--cd',
      '--include-directories',
      '--fake-format',
      '--fake-duration',
      '--fake-jitter',
      '--fake-seed',
      '--fake-turns',
      '--fake-think',
      '--fake-think-count',
      '--fake-output-bytes',
      '--fake-tool-duration',
      '--fake-retries',
      '--fake-result',
      '--fake-transcript',
      '--fake-fail',
    ],
    timingFlagPrefixes: ['--fake-'],
    // A per-run seed or transcript path must not give every run its own template.
    notTimingFlags: ['--fake-seed', '--fake-transcript', '--fake-result'],
  },
  codex: {
    modelFlags: ['-m', '--model'],
    runSubcommands: { exec: 'exec', e: 'exec' },
    otherSubcommands: [
      'login',
      'logout',
      'mcp',
      'apply',
      'a',
      'resume',
      'completion',
      'cloud',
      'sandbox',
      'debug',
    ],
    valueFlags: [
      '-m',
      '--model',
      '-s',
      '--sandbox',
      '-C',
      '--cd',
      '-c',
      '--config',
      '-p',
      '--profile',
      '-i',
      '--image',
      '-o',
      '--output-last-message',
      '--output-schema',
      '--color',
      '-a',
      '--ask-for-approval',
      '--add-dir',
      '--enable',
      '--disable',
      '--local-provider',
    ],
  },
  gemini: {
    promptFlags: ['-p', '--prompt'],
    modelFlags: ['-m', '--model'],
    otherSubcommands: ['mcp', 'extensions'],
    valueFlags: [
      '-p',
      '--prompt',
      '-i',
      '--prompt-interactive',
      '-m',
      '--model',
      '-o',
      '--output-format',
      '--approval-mode',
      '--include-directories',
      '-e',
      '--extensions',
      '--allowed-tools',
      '--allowed-mcp-server-names',
      '--proxy',
      '--telemetry-target',
    ],
  },
  qwen: {
    promptFlags: ['-p', '--prompt'],
    modelFlags: ['-m', '--model'],
    valueFlags: ['-p', '--prompt', '-m', '--model', '-o', '--output-format', '--approval-mode'],
  },
  'cursor-agent': {
    printFlags: ['-p', '--print'],
    modelFlags: ['-m', '--model'],
    valueFlags: ['-m', '--model', '--output-format', '--api-key', '--resume'],
  },
  copilot: {
    promptFlags: ['-p', '--prompt'],
    modelFlags: ['--model'],
    valueFlags: ['-p', '--prompt', '--model', '--allow-tool', '--deny-tool', '--add-dir', '--log-level'],
  },
  aider: {
    promptFlags: ['-m', '--message', '--msg'],
    modelFlags: ['--model'],
    valueFlags: [
      '-m',
      '--message',
      '--msg',
      '-f',
      '--message-file',
      '--model',
      '--edit-format',
      '--weak-model',
    ],
  },
  opencode: {
    modelFlags: ['-m', '--model'],
    runSubcommands: { run: 'run' },
    valueFlags: ['-m', '--model', '--agent', '-s', '--session', '--format'],
  },
  amp: {
    promptFlags: ['-x', '--execute'],
    modelFlags: ['--model'],
    valueFlags: ['-x', '--execute', '--model', '--mode'],
  },
  goose: {
    promptFlags: ['-t', '--text'],
    modelFlags: ['--model'],
    runSubcommands: { run: 'run' },
    valueFlags: ['-t', '--text', '-i', '--instructions', '--model', '--provider', '-n', '--name'],
  },
  ollama: {
    modelFlags: [],
    runSubcommands: { run: 'run' },
    modelIsFirstWord: true,
    valueFlags: ['--format', '--keepalive'],
  },
};

export interface AgentCommand {
  verb: string;
  prompt: string;
  model?: string;
  args: Arg[];
  /** Indices into `args` of the words that make up the prompt, the verb and the model. */
  structural: ReadonlySet<number>;
  /** Flags whose values stay verbatim in templates: the model and anything that changes the timing. */
  keepsValue(flag: string): boolean;
}

const RULES = new Map<string, ArgRules>(
  Object.entries(AGENTS).map(([tool, spec]) => [
    tool,
    {
      valueFlags: new Set(spec.valueFlags),
      guessValuePrefixes: spec.timingFlagPrefixes,
      booleanFlags: new Set(tool === 'fake-agent' ? ['--fake-busy', '--fake-plan'] : []),
    },
  ]),
);

export function agentArgRules(tool: string): ArgRules {
  return RULES.get(tool) ?? {};
}

/** Reads verb, prompt and model off an agent CLI's arguments; undefined for tools that are not agents. */
export function analyseAgent(tool: string, rawArgs: readonly string[]): AgentCommand | undefined {
  const spec = AGENTS[tool];
  if (spec === undefined) return undefined;
  const args = parseArgs(rawArgs, agentArgRules(tool));
  const structural = new Set<number>();
  const wordIndices: number[] = [];
  args.forEach((a, i) => {
    if (a.type === 'word') wordIndices.push(i);
  });

  let verb = tool;
  let promptWords = wordIndices;
  let model = flagValue(args, spec.modelFlags);
  const firstIndex = wordIndices[0];
  const first = firstIndex === undefined ? undefined : (args[firstIndex] as { text: string }).text;
  if (first !== undefined && spec.runSubcommands?.[first] !== undefined) {
    verb = `${tool} ${spec.runSubcommands[first]}`;
    structural.add(firstIndex!);
    promptWords = wordIndices.slice(1);
    if (spec.modelIsFirstWord && promptWords[0] !== undefined) {
      model ??= (args[promptWords[0]] as { text: string }).text;
      structural.add(promptWords[0]);
      promptWords = promptWords.slice(1);
    }
  } else if (first !== undefined && spec.otherSubcommands?.includes(first)) {
    verb = `${tool} ${first}`;
    structural.add(firstIndex!);
    promptWords = [];
  } else if (spec.printFlags !== undefined && hasFlag(args, spec.printFlags)) {
    verb = `${tool} ${spec.printFlags[0]}`;
  } else if (spec.promptFlags !== undefined && hasFlag(args, spec.promptFlags)) {
    verb = `${tool} ${spec.promptFlags[0]}`;
  }

  // The print flag is part of the verb, so templates need not repeat it.
  args.forEach((a, i) => {
    if (a.type === 'flag' && spec.printFlags?.includes(a.name) && a.value === undefined) structural.add(i);
  });
  const parts: string[] = [];
  if (spec.promptFlags !== undefined) {
    args.forEach((a, i) => {
      if (a.type === 'flag' && spec.promptFlags!.includes(a.name) && a.value !== undefined) {
        parts.push(a.value);
        structural.add(i);
      }
    });
  }
  for (const i of promptWords) {
    parts.push((args[i] as { text: string }).text);
    structural.add(i);
  }
  return {
    verb,
    prompt: parts.join(' '),
    model: model?.toLowerCase(),
    args,
    structural,
    keepsValue: (flag) =>
      spec.modelFlags.includes(flag) ||
      ((spec.timingFlagPrefixes ?? []).some((prefix) => flag.startsWith(prefix)) &&
        !(spec.notTimingFlags ?? []).includes(flag)),
  };
}
