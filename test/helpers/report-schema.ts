import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { REPORT_SCHEMA_PATH } from '../../src/report/write-json-schema.js';

/** A validator compiled from the published schema/report.schema.json itself, not from the zod schema. */
export function publishedReportValidator(): (data: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')) as object);
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(top level)'} ${e.message ?? ''}`);
  };
}
