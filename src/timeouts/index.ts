export type { ClassLevel, ClassLevelKey, TaskClass } from './classify.js';
export { CLASS_LEVELS, classify, classKeys } from './classify.js';
export { ConfigTimeoutPlanner, planFromDefaults } from './config-planner.js';
export { formatDuration } from './duration-text.js';
export type { ExplainedLevel, ExplainedLimit, ExplainOptions, Explanation } from './explain.js';
export { explainTimeout, formatExplanation } from './explain.js';
export type { Fallback, FallbackSource, MissingLevel } from './fail-loose.js';
export { failLoose } from './fail-loose.js';
export type { LearnedPlannerOptions } from './learned-planner.js';
export {
  DEFAULT_LOOKUP_TIMEOUT_MS,
  LearnedTimeoutPlanner,
  learnedPlannerFor,
  planFromPrediction,
} from './learned-planner.js';
export type { BoundCandidate, BoundMethod } from './level-bound.js';
export type { LastPlan, PlanCacheOptions } from './plan-cache.js';
export { PlanCache, planCachePathFor } from './plan-cache.js';
export type {
  ClampKind,
  LevelHistory,
  LevelReport,
  LimitDerivation,
  MetricReport,
  Prediction,
  PredictorConfig,
} from './predict.js';
export { predictLimits } from './predict.js';
export type { LimitOrigin, LimitSource, PlanInput, TimeoutPlan, TimeoutPlanner } from './types.js';
