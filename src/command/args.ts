/**
 * Separates a command's flags from its content, so that `-j 8` stays a flag value and never reads as a
 * requested size, and `cargo build --release` keeps `build` as its verb.
 */

export type Arg =
  | {
      type: 'flag';
      name: string;
      value?: string;
      /** How the value was written: `--x=v`, `-jv` or `-j v`. */
      joint?: '=' | '' | ' ';
    }
  | { type: 'word'; text: string };

export interface ArgRules {
  /** Flags that take the next word as their value. */
  valueFlags?: ReadonlySet<string>;
  /** Flags whose value is optional and only taken when it is a number (`make -j 8` vs `make -j all`). */
  optionalNumeric?: ReadonlySet<string>;
  /** Go-style single-dash long flags (`-run X`): no `-xVALUE` splitting. */
  noAttachedShort?: boolean;
  /**
   * Unknown flags with these prefixes take the next word when it looks like a value (a number, a duration
   * or one short token): the fake agent's `--fake-*` options are not known in advance.
   */
  guessValuePrefixes?: readonly string[];
  /** Flags known to take no value, even when they match a guessing prefix. */
  booleanFlags?: ReadonlySet<string>;
}

const NUMBER = /^\d+(\.\d+)?$/;
const VALUE_LIKE = /^[\w.:%+-]{1,24}$/;

export function parseArgs(args: readonly string[], rules: ArgRules = {}): Arg[] {
  const out: Arg[] = [];
  const valueFlags = rules.valueFlags ?? new Set<string>();
  const optionalNumeric = rules.optionalNumeric ?? new Set<string>();
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '--') {
      for (const rest of args.slice(i + 1)) out.push({ type: 'word', text: rest });
      break;
    }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      out.push({ type: 'word', text: a });
      i++;
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 1) {
      out.push({ type: 'flag', name: a.slice(0, eq), value: a.slice(eq + 1), joint: '=' });
      i++;
      continue;
    }
    const next = args[i + 1];
    if (valueFlags.has(a)) {
      if (next === undefined) out.push({ type: 'flag', name: a });
      else out.push({ type: 'flag', name: a, value: next, joint: ' ' });
      i += next === undefined ? 1 : 2;
      continue;
    }
    if (optionalNumeric.has(a)) {
      if (next !== undefined && NUMBER.test(next)) {
        out.push({ type: 'flag', name: a, value: next, joint: ' ' });
        i += 2;
      } else {
        out.push({ type: 'flag', name: a });
        i++;
      }
      continue;
    }
    const short = a.slice(0, 2);
    if (
      !rules.noAttachedShort &&
      !a.startsWith('--') &&
      a.length > 2 &&
      (valueFlags.has(short) || optionalNumeric.has(short))
    ) {
      out.push({ type: 'flag', name: short, value: a.slice(2), joint: '' });
      i++;
      continue;
    }
    const guessed =
      !(rules.booleanFlags?.has(a) ?? false) &&
      (rules.guessValuePrefixes?.some((prefix) => a.startsWith(prefix)) ?? false);
    if (guessed && next !== undefined && !next.startsWith('-') && VALUE_LIKE.test(next)) {
      out.push({ type: 'flag', name: a, value: next, joint: ' ' });
      i += 2;
      continue;
    }
    out.push({ type: 'flag', name: a });
    i++;
  }
  return out;
}

export function words(args: readonly Arg[]): string[] {
  const out: string[] = [];
  for (const a of args) if (a.type === 'word') out.push(a.text);
  return out;
}

export function flagValue(args: readonly Arg[], names: readonly string[]): string | undefined {
  for (const a of args)
    if (a.type === 'flag' && names.includes(a.name) && a.value !== undefined) return a.value;
  return undefined;
}

export function hasFlag(args: readonly Arg[], names: readonly string[]): boolean {
  return args.some((a) => a.type === 'flag' && names.includes(a.name));
}

/** Writes an argument back as one word, the way it was given. */
export function argText(a: Arg, value: string | undefined = a.type === 'flag' ? a.value : undefined): string {
  if (a.type === 'word') return a.text;
  if (value === undefined) return a.name;
  return a.joint === ' ' ? `${a.name} ${value}` : `${a.name}${a.joint ?? '='}${value}`;
}
