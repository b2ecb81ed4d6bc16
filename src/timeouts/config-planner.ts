import type { Config } from '../config.js';
import type { LimitSource, PlanInput, TimeoutPlan, TimeoutPlanner } from './types.js';

/**
 * Limits straight from the config defaults, or the suite's fixed ones. Used when history is off
 * (`--no-history`) and as the behaviour the learned planner must beat.
 */
export class ConfigTimeoutPlanner implements TimeoutPlanner {
  constructor(private readonly config: Config) {}

  async plan(task: PlanInput): Promise<TimeoutPlan> {
    return planFromDefaults(task, this.config);
  }
}

export function planFromDefaults(task: PlanInput, config: Config): TimeoutPlan {
  const fromConfig = (key: string): LimitSource => ({
    origin: 'config-default',
    detail: `config limits.${key}`,
  });
  const fixed: LimitSource = { origin: 'suite', detail: 'fixed by the suite (timeout:)' };
  const maxMs =
    task.timeout.max !== undefined ? task.timeout.max * 1000 : config.limits.defaultMaxSeconds * 1000;
  const stallWanted =
    task.timeout.stall !== undefined ? task.timeout.stall * 1000 : config.limits.defaultStallSeconds * 1000;
  return {
    maxMs,
    stallMs: Math.min(stallWanted, maxMs),
    maxSource: task.timeout.max !== undefined ? fixed : fromConfig('defaultMaxSeconds'),
    stallSource: task.timeout.stall !== undefined ? fixed : fromConfig('defaultStallSeconds'),
    // Fixed limits are the author's word: never stretched.
    extension: { times: 0, byMs: 0 },
  };
}
