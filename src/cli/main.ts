import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from '../version.js';
import { EXIT } from './errors.js';
import { collect, intInRange, numberInRange, parseShard } from './options.js';

/** `--ramp 1,2,4,8`: the concurrency of each step, each a whole number from 1 to 1000. */
function parseRamp(value: string): number[] {
  const step = intInRange('--ramp', 1, 1000);
  const steps = value.split(',').map((part) => step(part.trim()));
  if (steps.length > 20)
    throw new InvalidArgumentError(`--ramp takes at most 20 steps (got ${steps.length})`);
  return steps;
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('cc-stress')
    .description('Stress-test long-running commands and agent CLIs with limits learned from history')
    .version(packageVersion())
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description(
      'run a YAML suite and write JSON and JUnit reports; exit 0 when the success rate meets the target',
    )
    .argument('<suite>', 'suite file (YAML)')
    .option(
      '-c, --concurrency <n>',
      'tasks running at once (default: the suite)',
      intInRange('--concurrency', 1, 1000),
    )
    .option('--repeat <n>', 'run every task N times', intInRange('--repeat', 1, 10_000))
    .option('-g, --grep <regex>', 'only tasks whose id or name matches')
    .option(
      '--target <rate>',
      'success rate needed to pass, 0..1 (default: the suite, else 0.9)',
      numberInRange('--target', 0, 1),
    )
    .option(
      '--reporter <names>',
      'auto, progress, line, json, junit, summary, markdown, csv, github (comma separated, repeatable)',
      collect,
    )
    .option('-o, --out <dir>', 'report folder', 'reports')
    .option('--list', 'list the tasks and exit')
    .option('--bail <n>', 'stop after N failed tasks', intInRange('--bail', 1, 1_000_000))
    .option(
      '--heartbeat <seconds>',
      'in line mode, a line for each task still running after this long without one (0 = none; default 60)',
      intInRange('--heartbeat', 0, 86_400),
    )
    .option(
      '--executor <urls>',
      'run tasks through WebSocket executors (ws://host:8003/ws/mcp), comma separated',
      collect,
    )
    .option('--token <token>', 'bearer token for the executors')
    .addOption(new Option('--shard <i/n>', 'run shard i of n (e.g. 2/4)').argParser(parseShard))
    .option(
      '--ramp <steps>',
      'run the tasks at each concurrency in turn (e.g. 1,2,4,8); the exit code gates on the last step',
      parseRamp,
    )
    .option('--last-failed', 'run only the tasks that did not pass in the report in --out')
    .option('--rerun-failed <report>', 'run only the tasks that did not pass in this report.json')
    .option('--config <file>', 'config file (default: $CC_STRESS_CONFIG)')
    .option('--no-history', 'do not read or write history: use the config defaults as limits')
    .option(
      '--shared-history',
      'use the configured history even for a suite that keeps its own (history: separate, as the demo does)',
    )
    .option('--no-color', 'no colours')
    .action(async (suite: string, options) => {
      const { runCommand } = await import('./run.js');
      setExit(await runCommand(suite, options));
    });

  program
    .command('explain-timeout')
    .description("show how a command's max and stall limits are derived from history")
    .argument('<command>', 'the command line, as one string')
    .option('--json', 'machine-readable output')
    .option('--shell', 'the command is a shell line')
    .option('--category <name>', 'category hint, as a suite would give')
    .option('--complexity <name>', 'complexity hint, as a suite would give')
    .option('--config <file>', 'config file (default: $CC_STRESS_CONFIG)')
    .option('--no-color', 'no colours')
    .action(async (command: string, options) => {
      const { explainTimeoutCommand } = await import('./explain-timeout.js');
      setExit(await explainTimeoutCommand(command, options));
    });

  const history = program.command('history').description('inspect and manage the timing history');
  history
    .command('list')
    .description('classes with history, most recently used first')
    .option('--limit <n>', 'at most N classes', intInRange('--limit', 1, 1_000_000), 50)
    .option('--json', 'machine-readable output')
    .option('--config <file>', 'config file')
    .action(async (options) => {
      const { historyList } = await import('./history.js');
      setExit(await historyList(options));
    });
  history
    .command('show')
    .description('the recent runs of one class')
    .argument('<class-key>', 'a key from `history list` or `explain-timeout`')
    .option('--limit <n>', 'at most N runs', intInRange('--limit', 1, 100_000), 50)
    .option('--json', 'machine-readable output')
    .option('--config <file>', 'config file')
    .action(async (classKey: string, options) => {
      const { historyShow } = await import('./history.js');
      setExit(await historyShow(classKey, options));
    });
  history
    .command('prune')
    .description('drop classes not used for a while')
    .option('--older-than <days>', 'days since the last run', numberInRange('--older-than', 0, 36_500), 30)
    .option('--config <file>', 'config file')
    .action(async (options) => {
      const { historyPrune } = await import('./history.js');
      setExit(await historyPrune(options));
    });
  history
    .command('export')
    .description('write the history as JSON lines')
    .argument('[file]', 'output file (default: standard output)')
    .option('--config <file>', 'config file')
    .action(async (file: string | undefined, options) => {
      const { historyExport } = await import('./history.js');
      setExit(await historyExport(file, options));
    });
  history
    .command('import')
    .description('add runs from a JSON lines export')
    .argument('<file>', 'a file written by `history export`')
    .option('--config <file>', 'config file')
    .action(async (file: string, options) => {
      const { historyImport } = await import('./history.js');
      setExit(await historyImport(file, options));
    });

  program
    .command('serve')
    .description('run the WebSocket executor (endpoints /ws/mcp and /ws, GET /health)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port', intInRange('--port', 0, 65_535), 8003)
    .option('--token <token>', 'require this bearer token (mandatory off loopback)')
    .option(
      '--allow <commands>',
      'only run these executables (comma separated, repeatable); their arguments are not restricted',
      collect,
    )
    .option(
      '--allow-code-runner <commands>',
      'also allow these shells, interpreters or git, which run anything their arguments name',
      collect,
    )
    .option('--allow-env <names>', 'variables clients may set with --allow (NAME or PREFIX_*)', collect)
    .option('--root <dir>', 'commands run only inside this folder (default with --allow: the current one)')
    .option('--query-token', 'also accept the token as ?token= (it ends up in proxy logs)')
    .option('--max-sessions <n>', 'concurrent sessions', intInRange('--max-sessions', 1, 10_000), 100)
    .option('--log-dir <dir>', 'where task logs are kept', 'reports/serve-logs')
    .option('--config <file>', 'config file')
    .option('--no-history', 'use the config defaults as limits when the client gives none')
    .action(async (options) => {
      const { serveCommand } = await import('./serve.js');
      setExit(await serveCommand(options));
    });

  program
    .command('show-report')
    .description('serve the HTML report of a run on 127.0.0.1 (its logs too) until Ctrl-C')
    .argument('[path]', 'a report folder, report.html or report.json', 'reports')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', intInRange('--port', 0, 65_535), 0)
    .option('--open', 'open it in the default browser')
    .action(async (target: string, options) => {
      const { showReportCommand } = await import('./show-report.js');
      setExit(await showReportCommand(target, { open: false, ...options }));
    });

  program
    .command('merge-reports')
    .description('merge the JSON reports of sharded runs and apply the success-rate gate once')
    .argument('<reports...>', 'report.json files of the shards')
    .option('--json <file>', 'write the merged JSON report here')
    .option('--junit <file>', 'write the merged JUnit XML here')
    .option('--target <rate>', 'override the target success rate', numberInRange('--target', 0, 1))
    .option('--no-color', 'no colours')
    .action(async (files: string[], options) => {
      const { mergeReportsCommand } = await import('./merge-reports.js');
      setExit(await mergeReportsCommand(files, options));
    });

  program
    .command('compare')
    .description('success rate and p50/p95 changes per task and category between two report.json files')
    .argument('<base>', 'the earlier report.json')
    .argument('<head>', 'the later report.json')
    .option(
      '--max-regression <rate>',
      'exit 1 when the run or a category loses more success rate than this, 0..1 (0.05 = 5 points)',
      numberInRange('--max-regression', 0, 1),
    )
    .option(
      '--max-slowdown <factor>',
      'exit 1 when the p95 of the run or a category grows by more than this factor (e.g. 1.5)',
      numberInRange('--max-slowdown', 1, 1000),
    )
    .option('--json', 'machine-readable output')
    .option('--markdown', 'a Markdown table, for a pull request comment or $GITHUB_STEP_SUMMARY')
    .option('--no-color', 'no colours')
    .action(async (base: string, head: string, options) => {
      const { compareCommand } = await import('./compare.js');
      setExit(await compareCommand(base, head, options));
    });

  program
    .command('fake-agent')
    .description('a simulated agent CLI that behaves like `claude -p --output-format stream-json --verbose`')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { runFakeAgentCli } = await import('../fake-agent/cli.js');
      runFakeAgentCli(args);
      setExit(-1);
    });

  return program;
}

/**
 * Errors whose one-line message is the whole story for the user (exit 2, no stack). Matched by name so
 * that `main` does not load every stage just to recognise their errors.
 */
const USER_ERRORS = new Set([
  'UsageError',
  'SuiteError',
  'ConfigError',
  'HistoryError',
  'MergeError',
  'ReportReadError',
  'ServerStartError',
]);

function isExpected(error: unknown): error is Error {
  return error instanceof Error && USER_ERRORS.has(error.name);
}

/** Entry point of the `cc-stress` bin; resolves to the exit code, or -1 when the command exits by itself. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT.pass as number;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander complaint is a usage error.
      exitCode = error.exitCode === 0 ? EXIT.pass : EXIT.usage;
    } else if (isExpected(error)) {
      process.stderr.write(`cc-stress: ${error.message}\n`);
      if (debug) process.stderr.write(`${error.stack}\n`);
      exitCode = EXIT.usage;
    } else {
      process.stderr.write(`cc-stress: ${(error as Error)?.message ?? String(error)}\n`);
      process.stderr.write(debug ? `${(error as Error)?.stack}\n` : 'run again with --debug for details\n');
      exitCode = EXIT.fail;
    }
  }
  return exitCode;
}
