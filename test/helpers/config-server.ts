import { configSchema } from '../../src/config.js';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.js';
import { ConfigTimeoutPlanner } from '../../src/timeouts/config-planner.js';

/**
 * A server on a free port whose limits come from the default config rather than history, so a test's
 * processes get the same limits whatever ran before.
 */
export function startConfigServer(options: Omit<ServerOptions, 'planner'> = {}): Promise<RunningServer> {
  return startServer({ port: 0, planner: new ConfigTimeoutPlanner(configSchema.parse({})), ...options });
}
