import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suiteJsonSchema } from './json-schema.js';

/** The committed schema file, relative to the package root (works from src/ and from dist/). */
export const SUITE_SCHEMA_PATH = fileURLToPath(new URL('../../schema/suite.schema.json', import.meta.url));

/** The exact text of schema/suite.schema.json. */
export function suiteJsonSchemaText(): string {
  return `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`;
}

/** Regenerates schema/suite.schema.json; run after changing src/suite/schema.ts. */
export function writeJsonSchema(path: string = SUITE_SCHEMA_PATH): string {
  writeFileSync(path, suiteJsonSchemaText());
  return path;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${writeJsonSchema()}`);
}
