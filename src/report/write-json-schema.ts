import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from './json-schema.js';

/** The committed schema file, relative to the package root (works from src/ and from dist/). */
export const REPORT_SCHEMA_PATH = fileURLToPath(new URL('../../schema/report.schema.json', import.meta.url));

/** The exact text of schema/report.schema.json. */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

/** Regenerates schema/report.schema.json; run after changing src/report/report-schema.ts. */
export function writeReportJsonSchema(path: string = REPORT_SCHEMA_PATH): string {
  writeFileSync(path, reportJsonSchemaText());
  return path;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${writeReportJsonSchema()}`);
}
