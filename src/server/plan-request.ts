import type { ExecuteParams } from '../protocol/messages.js';
import type { AgentKind } from '../suite/types.js';
import type { LimitSource, PlanInput, TimeoutPlan, TimeoutPlanner } from '../timeouts/types.js';
import type { PreparedCommand } from './prepare-command.js';

const FROM_CLIENT = (what: string): LimitSource => ({
  origin: 'client',
  detail: `given by the client (${what})`,
});

/**
 * The limits of one `execute`, asked of the same planner the runner uses. The client's `timeout` and
 * `stall_timeout` are passed like a suite's fixed limits and reported as coming from the client; the
 * `task` label stands in for the category when none is given, so runs of one label share history.
 */
export async function planForRequest(
  planner: TimeoutPlanner,
  params: ExecuteParams,
  command: PreparedCommand,
  agent: AgentKind,
  capMs: number,
): Promise<TimeoutPlan> {
  const timeout: PlanInput['timeout'] = {};
  // A client's limit above the server's cap (1e308 s) would switch the max limit off; the cap still holds.
  const capSeconds = capMs / 1000;
  const clamped = (value: number): number => Math.min(value, capSeconds);
  if (params.timeout != null && params.timeout > 0) timeout.max = clamped(params.timeout);
  if (params.stall_timeout != null && params.stall_timeout > 0) timeout.stall = clamped(params.stall_timeout);
  const input: PlanInput = { argv: command.argv, shell: command.shell, cwd: command.cwd, timeout, agent };
  const category = params.category ?? params.task;
  if (category != null) input.category = category;
  if (params.complexity != null) input.complexity = params.complexity;
  const plan = await planner.plan(input);
  const result: TimeoutPlan = { ...plan };
  if (timeout.max !== undefined) {
    result.maxMs = timeout.max * 1000;
    result.maxSource = FROM_CLIENT(
      timeout.max < params.timeout!
        ? `timeout ${params.timeout} s, clamped to the server's cap`
        : `timeout ${timeout.max} s`,
    );
    // The client's word is a hard limit, as a suite's fixed one is.
    result.extension = { times: 0, byMs: 0 };
  }
  if (timeout.stall !== undefined) {
    result.stallMs = timeout.stall * 1000;
    result.stallSource = FROM_CLIENT(
      timeout.stall < params.stall_timeout!
        ? `stall_timeout ${params.stall_timeout} s, clamped to the server's cap`
        : `stall_timeout ${timeout.stall} s`,
    );
  }
  result.stallMs = Math.min(result.stallMs, result.maxMs);
  return result;
}
