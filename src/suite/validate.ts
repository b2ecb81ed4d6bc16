import type { z } from 'zod';
import { describeValue, type FieldPath, formatPath, type SuiteError, SuiteErrors } from './errors.js';
import type { YamlSource } from './load.js';
import { type RawSuite, suiteSchema } from './schema.js';

/** One problem found by the schema, already pointed at the right node. */
interface Problem {
  path: FieldPath;
  target: 'value' | 'key';
  reason: string;
}

/** Checks the document against the suite schema; every problem, in file order, goes into one SuiteError. */
export function validateSuite(source: YamlSource): RawSuite {
  const forbidden = findForbiddenKey(source.data, []);
  if (forbidden !== undefined) {
    throw source.error(forbidden, formatPath(forbidden), 'this key is not allowed', 'key');
  }
  const parsed = suiteSchema.safeParse(source.data);
  if (parsed.success) return parsed.data;

  const problems = parsed.error.issues.map((issue) => toProblem(issue, source.data));
  throw SuiteErrors.of(problems.map((problem) => toError(source, problem)));
}

function toError(source: YamlSource, problem: Problem): SuiteError {
  return source.error(problem.path, formatPath(problem.path), problem.reason, problem.target);
}

function toProblem(issue: z.core.$ZodIssue, data: unknown, prefix: FieldPath = []): Problem {
  const path = [...prefix, ...(issue.path as (string | number)[])];
  switch (issue.code) {
    case 'unrecognized_keys':
      return { path: [...path, issue.keys[0]!], target: 'key', reason: issue.message };
    case 'invalid_key': {
      const inner = issue.issues[0];
      return {
        path,
        target: 'key',
        reason: `${inner?.message ?? issue.message} (got ${describeValue(path.at(-1))})`,
      };
    }
    case 'invalid_union': {
      // When the value has the shape of one alternative (say a list), the useful error is inside it.
      const value = valueAt(data, path);
      for (const branch of issue.errors) {
        const first = branch[0];
        if (first === undefined) continue;
        const typeMismatch = first.code === 'invalid_type' && first.path.length === 0;
        if (!typeMismatch && value !== undefined) return toProblem(first, data, path);
      }
      break;
    }
  }
  const value = valueAt(data, path);
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
    return { path, target: 'value', reason: `missing; ${issue.message}` };
  }
  return { path, target: 'value', reason: `${issue.message} (got ${describeValue(value)})` };
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Keys that plain objects (and zod) treat specially; they are refused instead of silently dropped. */
function findForbiddenKey(value: unknown, path: FieldPath): FieldPath | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findForbiddenKey(item, [...path, i]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...path, key];
    const found = findForbiddenKey((value as Record<string, unknown>)[key], [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
