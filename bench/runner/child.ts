import { measureHistory } from './history.js';
import { measureOverhead } from './overhead.js';
import { reportResult } from './processes.js';
import { measureScale } from './scale.js';
import { throughputThroughRunner } from './throughput.js';

/** One scenario of the runner benchmark, in a process of its own (see runScenario). */

interface ChildOptions {
  tasks?: number;
  concurrencies?: number[];
  bytes?: number;
  url?: string;
  seconds?: number;
  classes?: number;
  runsPerClass?: number;
  samples?: number;
}

async function run(scenario: string, o: ChildOptions): Promise<unknown> {
  switch (scenario) {
    case 'overhead':
      return measureOverhead(o.tasks ?? 500, o.concurrencies ?? [1]);
    case 'throughput':
      return throughputThroughRunner(o.bytes ?? 200 * 2 ** 20, o.url);
    case 'scale':
      return measureScale(o.tasks ?? 500, o.seconds ?? 30);
    case 'history':
      return measureHistory(o.classes ?? 1000, o.runsPerClass ?? 256, o.samples ?? 2000);
    default:
      throw new Error(`unknown scenario "${scenario}"`);
  }
}

const [scenario = '', options = '{}'] = process.argv.slice(2);
run(scenario, JSON.parse(options) as ChildOptions)
  .then((result) => {
    reportResult(result);
    // Lingering handles (a Redis reconnect timer, the guardian) must not hold the result back.
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${scenario}: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
