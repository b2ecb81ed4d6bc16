import { splitCommand } from '../suite/index.js';
import { explainTimeout, formatExplanation } from '../timeouts/explain.js';
import { PlanCache, planCachePathFor } from '../timeouts/plan-cache.js';
import type { PlanInput } from '../timeouts/types.js';
import { EXIT, UsageError } from './errors.js';
import { withHistory } from './open-history.js';

export interface ExplainOptions {
  json?: boolean;
  shell?: boolean;
  category?: string;
  complexity?: string;
  config?: string;
  color: boolean;
}

export async function explainTimeoutCommand(command: string, options: ExplainOptions): Promise<number> {
  let argv = [command];
  if (!options.shell) {
    const split = splitCommand(command);
    if (!split.ok)
      throw new UsageError(`cannot split the command: ${split.reason} (pass --shell for a shell line)`);
    argv = split.argv;
  }
  const input: PlanInput = {
    argv,
    shell: options.shell === true,
    cwd: process.cwd(),
    timeout: {},
    agent: 'none',
    ...(options.category !== undefined ? { category: options.category } : {}),
    ...(options.complexity !== undefined ? { complexity: options.complexity } : {}),
  };
  return withHistory(options.config, async (store, loaded) => {
    const planCache = new PlanCache({
      size: loaded.config.history.planCacheSize,
      path: planCachePathFor(loaded.historyPath),
    });
    const explanation = await explainTimeout(input, store, loaded.config, Date.now(), { planCache });
    process.stdout.write(
      options.json
        ? `${JSON.stringify(explanation, null, 2)}\n`
        : `${formatExplanation(explanation, options.color && !loaded.env.noColor && process.stdout.isTTY === true)}\n`,
    );
    return EXIT.pass;
  });
}
