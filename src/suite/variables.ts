// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
/**
 * `${NAME}` and `${NAME:-fallback}` in suite strings; `$${` is a literal `${`.
 * A fallback is used when the variable is unset or empty (as in sh), may itself contain `${...}`, and is
 * only evaluated when needed, so `${MODEL:-${DEFAULT_MODEL}}` works without DEFAULT_MODEL when MODEL is set.
 */

export type Lookup = (name: string) => string | undefined;

export type Interpolated =
  | { ok: true; value: string }
  /** `needle` is the text of the reference, for pointing at it in the source. */
  | { ok: false; reason: string; needle: string };

type Part = string | { name: string; fallback?: Part[] };

class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly needle: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(template: string, lookup: Lookup): Interpolated {
  let parts: Part[];
  try {
    parts = parse(template, 0, false).parts;
  } catch (error) {
    if (error instanceof TemplateSyntaxError)
      return { ok: false, reason: error.message, needle: error.needle };
    throw error;
  }
  return evaluate(parts, lookup);
}

function parse(text: string, start: number, inFallback: boolean): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let literal = '';
  let i = start;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      if (literal !== '') parts.push(literal);
      literal = '';
      const name = NAME.exec(text.slice(i + 2))?.[0];
      const after = i + 2 + (name?.length ?? 0);
      if (name === undefined) {
        const shown = text.slice(i, i + 12);
        throw new TemplateSyntaxError(
          `"${shown}" is not a valid variable reference; use \${NAME} or \${NAME:-fallback} (write $\${ for a literal \${)`,
          '${',
        );
      }
      if (text[after] === '}') {
        parts.push({ name });
        i = after + 1;
      } else if (text.startsWith(':-', after)) {
        const inner = parse(text, after + 2, true);
        parts.push({ name, fallback: inner.parts });
        i = inner.end + 1;
      } else {
        const closed = after < text.length;
        throw new TemplateSyntaxError(
          closed
            ? `"\${${name}" must be followed by "}" or ":-fallback}"`
            : `"\${${name}" has no closing "}"`,
          `\${${name}`,
        );
      }
    } else if (inFallback && text[i] === '}') {
      if (literal !== '') parts.push(literal);
      return { parts, end: i };
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (inFallback) throw new TemplateSyntaxError('a "${NAME:-fallback" has no closing "}"', '${');
  if (literal !== '') parts.push(literal);
  return { parts, end: i };
}

function evaluate(parts: Part[], lookup: Lookup): Interpolated {
  let value = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    const found = lookup(part.name);
    if (part.fallback === undefined) {
      if (found === undefined) {
        return {
          ok: false,
          reason: `undefined variable "${part.name}"; define it in vars, in the matrix or in the environment, or write \${${part.name}:-default}`,
          needle: `\${${part.name}`,
        };
      }
      value += found;
    } else if (found !== undefined && found !== '') {
      value += found;
    } else {
      const fallback = evaluate(part.fallback, lookup);
      if (!fallback.ok) return fallback;
      value += fallback.value;
    }
  }
  return { ok: true, value };
}
