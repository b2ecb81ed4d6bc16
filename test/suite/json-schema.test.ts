import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { suiteJsonSchema } from '../../src/suite/json-schema.js';
import { SUITE_SCHEMA_PATH, suiteJsonSchemaText } from '../../src/suite/write-json-schema.js';

type Json = Record<string, unknown>;

/** Every object-typed subschema, with its JSON pointer. */
function objectSchemas(node: unknown, pointer = '#'): Array<[string, Json]> {
  if (node === null || typeof node !== 'object') return [];
  const found: Array<[string, Json]> = [];
  const schema = node as Json;
  if (schema.type === 'object' && schema.properties !== undefined) found.push([pointer, schema]);
  for (const [key, value] of Object.entries(schema)) found.push(...objectSchemas(value, `${pointer}/${key}`));
  return found;
}

describe('schema/suite.schema.json', () => {
  it('is the schema generated from the zod schema', () => {
    const stale = 'schema/suite.schema.json is stale: npm run build && node dist/suite/write-json-schema.js';
    expect(readFileSync(SUITE_SCHEMA_PATH, 'utf8'), stale).toBe(suiteJsonSchemaText());
  });

  const schema = suiteJsonSchema() as Json;
  const properties = schema.properties as Json;
  const task = (properties.tasks as Json).items as Json;

  it('rejects unknown keys in every mapping', () => {
    const objects = objectSchemas(schema);
    expect(objects.map(([pointer]) => pointer)).toEqual(
      expect.arrayContaining(['#', '#/properties/defaults', '#/properties/tasks/items']),
    );
    for (const [pointer, object] of objects) {
      expect({ pointer, additionalProperties: object.additionalProperties }).toEqual({
        pointer,
        additionalProperties: false,
      });
    }
  });

  it('requires what the loader requires and documents the rest', () => {
    expect(schema.required).toEqual(['name', 'tasks']);
    expect(task.required).toEqual(['id', 'command']);
    expect(Object.keys(task.properties as Json)).toEqual([
      'id',
      'name',
      'command',
      'shell',
      'category',
      'complexity',
      'agent',
      'repeat',
      'env',
      'cwd',
      'retries',
      'timeout',
      'expect',
      'matrix',
    ]);
    const id = (task.properties as Json).id as Json;
    const pattern = new RegExp(id.pattern as string);
    expect(['build-1', 'a.b_c'].every((value) => pattern.test(value))).toBe(true);
    expect(['../x', 'a\nb', '', '.hidden'].some((value) => pattern.test(value))).toBe(false);
  });
});
