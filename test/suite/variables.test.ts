// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/suite/variables.js';

const scope: Record<string, string> = { MODEL: 'sonnet', EMPTY: '', DIR: '/tmp/a b' };
const lookup = (name: string): string | undefined => (Object.hasOwn(scope, name) ? scope[name] : undefined);

describe('interpolate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['--model ${MODEL}', '--model sonnet'],
    ['${MODEL}${MODEL}', 'sonnetsonnet'],
    ['${DIR}/x', '/tmp/a b/x'],
    ['${MISSING:-haiku}', 'haiku'],
    ['${EMPTY:-used when empty}', 'used when empty'],
    ['${MODEL:-unused}', 'sonnet'],
    ['${MISSING:-}', ''],
    ['${MISSING:-${MODEL}-fast}', 'sonnet-fast'],
    ['${MODEL:-${NEVER_LOOKED_UP}}', 'sonnet'],
    ['$${MODEL} costs $5 and $$', '${MODEL} costs $5 and $$'],
    ['${MISSING:-$${x}}', '${x}'],
    ['$MODEL {MODEL}', '$MODEL {MODEL}'],
  ])('expands %j', (template, value) => {
    expect(interpolate(template, lookup)).toEqual({ ok: true, value });
  });

  it.each([
    ['run ${NOPE} now', 'undefined variable "NOPE"', '${NOPE'],
    ['${MISSING:-${NOPE}}', 'undefined variable "NOPE"', '${NOPE'],
    ['${MODEL', 'has no closing "}"', '${MODEL'],
    ['${MODEL:-open', 'has no closing "}"', '${'],
    ['${1X}', 'not a valid variable reference', '${'],
    ['${}', 'not a valid variable reference', '${'],
    ['${MODEL-x}', 'must be followed by "}" or ":-fallback}"', '${MODEL'],
  ])('explains %j', (template, reason, needle) => {
    const result = interpolate(template, lookup);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(reason);
    expect(result.needle).toBe(needle);
  });

  it('tells how to define an undefined variable', () => {
    const result = interpolate('${TOKEN}', lookup);
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('${TOKEN:-default}') });
  });
});
