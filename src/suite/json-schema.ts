import { z } from 'zod';
import { suiteSchema } from './schema.js';

/**
 * The JSON Schema of the suite file, derived from the zod schema so the two cannot disagree.
 * It describes the file as written (defaults are optional), which is what editors check.
 */
export function suiteJsonSchema(): Record<string, unknown> {
  // Draft 7 is the dialect editors (yaml-language-server, VS Code, JetBrains) support most completely.
  return z.toJSONSchema(suiteSchema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' });
}
