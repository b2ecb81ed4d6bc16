import { type FakeAgentOptions, parseFakeAgentOptions, UsageError } from './options.js';
import { SessionPlayer } from './player.js';
import { planSession } from './timeline.js';
import { FAKE_AGENT_USAGE } from './usage.js';
import { createWriter } from './writers/index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * A stand-in for `claude -p`, `codex exec --json` and `gemini -p` whose timing and failures are scripted
 * with --fake-* flags, so stress suites and tests can run real processes without a real agent.
 */
export function runFakeAgentCli(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(FAKE_AGENT_USAGE);
    return;
  }
  let options: FakeAgentOptions;
  try {
    options = parseFakeAgentOptions(args, process.env);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  const plan = planSession(options);
  if (options.printPlan) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }
  const writer = createWriter(options.format, options.mode, {
    sessionId: plan.sessionId,
    model: plan.model,
    prompt: options.prompt,
    seed: plan.seed,
    maxTurns: options.maxTurns ?? options.turns,
  });
  new SessionPlayer(plan, options, writer).play().catch((error: unknown) => {
    fail(`fake-agent: ${error instanceof Error ? error.message : String(error)}`);
  });
}
