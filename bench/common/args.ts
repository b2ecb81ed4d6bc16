/** The few flags the benchmarks take: --quick, and --name value pairs. */
export interface BenchArgs {
  quick: boolean;
  /** Boolean flags other than --quick that the benchmark declared. */
  flags: Set<string>;
  values: Map<string, string>;
}

export function parseArgs(
  argv: readonly string[],
  known: readonly string[],
  knownFlags: readonly string[] = [],
): BenchArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') {
      quick = true;
      continue;
    }
    if (arg.startsWith('--') && knownFlags.includes(arg.slice(2))) {
      flags.add(arg.slice(2));
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match === null || !known.includes(match[1]!)) {
      throw new Error(
        `unknown argument "${arg}"; expected --quick${knownFlags.map((f) => ` --${f}`).join('')}${known.map((k) => ` --${k} VALUE`).join('')}`,
      );
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    values.set(match[1]!, value);
  }
  return { quick, flags, values };
}

export function intArg(args: BenchArgs, name: string, fallback: number): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name}: "${text}" is not a positive integer`);
  return value;
}
