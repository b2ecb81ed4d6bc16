import { type ServeCommandOptions, serveCommand as serveWith } from '../server/serve.js';
import { exposeOwnBins } from './own-bins.js';

/** `cc-stress serve`: the executor server, with the same PATH additions as `run`. */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  exposeOwnBins();
  return serveWith(options);
}
