import { openRuntime } from '../runtime/open-runtime.js';
import { type ServeOptions, serve, stopRequests, untilStopped } from '../server/serve.js';
import { EXIT } from './errors.js';
import { exposeOwnBins } from './own-bins.js';

/** `cc-stress serve` as commander hands it over: `history: false` is `--no-history`. */
export interface ServeCommandOptions extends ServeOptions {
  config?: string;
  history?: boolean;
}

/**
 * `cc-stress serve`: config, history and planner exactly as `cc-stress run` opens them, the same PATH
 * additions, the server, and a graceful stop on SIGTERM/SIGINT (a second one exits at once). Resolves with
 * the exit code (0 after a clean stop); throws ConfigError or ServerStartError with a one-line message.
 */
export async function serveCommand(
  options: ServeCommandOptions,
  log: (line: string) => void = (line) => process.stderr.write(`cc-stress serve: ${line}\n`),
): Promise<number> {
  exposeOwnBins();
  const runtime = await openRuntime({
    ...(options.config !== undefined ? { config: options.config } : {}),
    history: options.history !== false,
    onWarning: (message) => log(`warning: ${message}`),
  });
  const exitNow = (): never => process.exit(EXIT.interrupted);
  const stop = stopRequests(log, exitNow);
  try {
    const server = await serve(options, {
      config: runtime.loaded.config,
      planner: runtime.planner(),
      ...(runtime.history !== undefined ? { history: runtime.history } : {}),
      log,
    });
    await untilStopped(server, log, exitNow, stop);
    return EXIT.pass;
  } finally {
    stop.dispose();
    await runtime.close();
  }
}
