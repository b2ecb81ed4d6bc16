import { z } from 'zod';
import { runReportSchema } from './report-schema.js';

/**
 * The JSON Schema of report.json, derived from the zod schema cc-stress reads reports with, so the two
 * cannot disagree. Objects stay open (no additionalProperties: false): readers must ignore fields a newer
 * cc-stress adds without a version bump (docs/report-format.md, Versioning).
 */
export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(runReportSchema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'throw',
  });
  return {
    $schema: schema.$schema,
    title: 'cc-stress report.json',
    description: 'The report of one cc-stress run; format described in docs/report-format.md.',
    ...schema,
  };
}
