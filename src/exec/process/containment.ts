import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * What holds a task's processes together so that none outlives the task.
 * - pid-namespace: each task runs in a PID namespace of its own (util-linux `unshare`) under a tiny init;
 *   when the init dies the kernel kills everything else in the namespace, whatever it did (setsid, an
 *   empty environment, a double fork). Nothing can leave it.
 * - process-group: the task leads a process group and escapees are hunted through /proc by parent links
 *   and an environment tag; a process that calls setsid and clears its environment can escape.
 */
export type Containment = 'pid-namespace' | 'process-group';

/** Overrides the probe: `process-group` turns namespaces off; `pid-namespace` fails loudly without them. */
export const CONTAINMENT_VAR = 'CC_STRESS_CONTAINMENT';

/**
 * PID 1 of a task's namespace: forks the command, reports on fd 3 whether it started (`r`, or `e ERRNO`)
 * and how it ended (`x CODE LEFT` or `k SIGNAL LEFT`), then reaps everything the namespace holds and exits
 * once it is empty. LEFT is 0 when nothing else was alive in the namespace as the command ended, 1
 * otherwise: every orphan is re-parented to this init before it learns of the command's end, so once it
 * has no child left the namespace is empty and nobody needs to scan /proc for leftovers. It installs no
 * signal handlers: a namespace's init only receives signals it handles (and SIGKILL/SIGSTOP from
 * outside), so the group signals meant for the task leave it alone, and it stays to report and reap. Plain Perl without modules: it starts in a few milliseconds and Perl is part of
 * every Debian-like base system. Constants are Linux's: F_SETFD 2, FD_CLOEXEC 1, ECHILD 10, WNOHANG 1.
 */
const INIT_SCRIPT = `open(my $st, '>&=', 3) or exit 125;
fcntl($st, 2, 1);
pipe(my $r, my $w) or do { syswrite($st, 'e ' . ($! + 0) . "\\n"); exit 125 };
my $pid = fork();
if (!defined $pid) { syswrite($st, 'e ' . ($! + 0) . "\\n"); exit 125 }
if ($pid == 0) { close $r; exec { $ARGV[0] } @ARGV; syswrite($w, $! + 0); exit 127 }
close $w;
my $err = '';
sysread($r, $err, 16);
close $r;
if ($err ne '') { syswrite($st, "e $err\\n"); waitpid($pid, 0); exit 127 }
syswrite($st, "r\\n");
my $status = 0;
for (;;) {
  my $done = waitpid(-1, 0);
  if ($done < 0) { last if $! + 0 == 10; next }
  next if $done != $pid;
  $status = $?;
  my $left;
  for (;;) { my $z = waitpid(-1, 1); next if $z > 0; $left = ($z < 0 && $! + 0 == 10) ? 0 : 1; last }
  syswrite($st, (($status & 127) ? 'k ' . ($status & 127) : 'x ' . ($status >> 8)) . " $left\\n");
}
exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
`;

/**
 * The namespace flags, tried in order: as root (or with CAP_SYS_ADMIN), then inside a user namespace; each
 * first with a /proc of the task's own, then (where mounting is refused, e.g. by AppArmor) without one.
 */
const PID_NAMESPACE = ['--pid', '--fork', '--kill-child'];
const OWN_PROC = ['--mount-proc', '--propagation', 'slave'];
// The user keeps their own uid inside (not root): agent CLIs refuse some modes when run as root.
const USER_NAMESPACE = ['--user', '--map-current-user'];
const NAMESPACE_FLAGS: readonly (readonly string[])[] = [
  [...PID_NAMESPACE, ...OWN_PROC],
  PID_NAMESPACE,
  [...USER_NAMESPACE, ...PID_NAMESPACE, ...OWN_PROC],
  [...USER_NAMESPACE, ...PID_NAMESPACE],
];

export interface ContainmentChoice {
  kind: Containment;
  /** Why namespaces are not used, when they are not. */
  why?: string;
  /** How to start a program inside the container. */
  wrap(program: string, args: readonly string[]): { file: string; args: string[] };
}

const groupOnly = (why: string): ContainmentChoice => ({
  kind: 'process-group',
  why,
  wrap: (program, args) => ({ file: program, args: [...args] }),
});

let probed: ContainmentChoice | undefined;

/** Probes once per process (a few milliseconds) which containment this machine allows. */
export function containment(): ContainmentChoice {
  probed ??= probe(process.env[CONTAINMENT_VAR]);
  return probed;
}

/**
 * The same probe without blocking the event loop, so that a command can run it while it loads its suite
 * and opens its history: the trial is a whole container start, tens of milliseconds on a busy machine.
 * Rejects where containment() would throw; containment() then throws the same error.
 */
export async function probeContainment(): Promise<ContainmentChoice> {
  if (probed) return probed;
  const wanted = process.env[CONTAINMENT_VAR];
  const choice =
    wanted === 'process-group' ? groupOnly(`${CONTAINMENT_VAR}=process-group`) : await probeNamespacesAsync();
  probed ??= checkWanted(wanted, choice);
  return probed;
}

function probe(wanted: string | undefined): ContainmentChoice {
  if (wanted === 'process-group') return groupOnly(`${CONTAINMENT_VAR}=process-group`);
  return checkWanted(wanted, probeNamespaces());
}

function checkWanted(wanted: string | undefined, choice: ContainmentChoice): ContainmentChoice {
  if (wanted === 'pid-namespace' && choice.kind !== 'pid-namespace') {
    throw new Error(
      `${CONTAINMENT_VAR}=pid-namespace but PID namespaces are not available here (${choice.why}); unset it to fall back to process groups`,
    );
  }
  return choice;
}

interface Trial {
  status: number | null;
  report: string;
  stderr: string;
  error?: Error;
}

/** The programs a namespace needs, or why they cannot be had. */
function namespacePrograms(): { unshare: string; perl: string } | ContainmentChoice {
  if (process.platform !== 'linux') return groupOnly('PID namespaces exist only on Linux');
  const unshare = findProgram('unshare');
  const perl = findProgram('perl');
  if (!unshare) return groupOnly('`unshare` (util-linux) is not on PATH');
  if (!perl) return groupOnly('`perl` is not on PATH');
  return { unshare, perl };
}

function trialPrefix(flags: readonly string[], perl: string): string[] {
  return [...flags, '--', perl, '-e', INIT_SCRIPT, '--'];
}

/** The first set of flags whose trial ran `true` in a namespace, or why none did. */
function judgeTrial(
  unshare: string,
  prefix: string[],
  trial: Trial,
): { choice?: ContainmentChoice; why: string } {
  if (trial.status === 0 && trial.report === 'r\nx 0 0\n') {
    return {
      choice: {
        kind: 'pid-namespace',
        wrap: (program, args) => ({ file: unshare, args: [...prefix, program, ...args] }),
      },
      why: '',
    };
  }
  return { why: firstLine(trial.stderr) || (trial.error?.message ?? `exit ${trial.status}`) };
}

/**
 * The probe's steps, shared by its blocking and its background form: each yield asks for one trial run of
 * `unshare <args>`, and the return value is the choice.
 */
function* probeSteps(unshare: string, perl: string): Generator<string[], ContainmentChoice, Trial> {
  let last = '';
  for (const flags of NAMESPACE_FLAGS) {
    const prefix = trialPrefix(flags, perl);
    const verdict = judgeTrial(unshare, prefix, yield [...prefix, 'true']);
    if (verdict.choice) return verdict.choice;
    last = verdict.why;
  }
  return groupOnly(`unshare cannot create a PID namespace here: ${last}`);
}

function probeNamespaces(): ContainmentChoice {
  const programs = namespacePrograms();
  if ('kind' in programs) return programs;
  const steps = probeSteps(programs.unshare, programs.perl);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(trialSync(programs.unshare, step.value));
  }
}

async function probeNamespacesAsync(): Promise<ContainmentChoice> {
  const programs = namespacePrograms();
  if ('kind' in programs) return programs;
  const steps = probeSteps(programs.unshare, programs.perl);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    step = steps.next(await trialAsync(programs.unshare, step.value));
  }
}

function trialSync(file: string, args: string[]): Trial {
  const run = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], encoding: 'latin1' });
  return {
    status: run.status,
    report: (run.output?.[3] as string | null | undefined) ?? '',
    stderr: String(run.stderr ?? ''),
    ...(run.error ? { error: run.error } : {}),
  };
}

function trialAsync(file: string, args: string[]): Promise<Trial> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let report = '';
    let stderr = '';
    let error: Error | undefined;
    child.stderr?.setEncoding('latin1').on('data', (text: string) => {
      stderr += text;
    });
    const status = child.stdio[3] as NodeJS.ReadableStream | null;
    status?.setEncoding('latin1');
    status?.on('data', (text: string) => {
      report += text;
    });
    const done = (code: number | null): void =>
      resolve({ status: code, report, stderr, ...(error ? { error } : {}) });
    // A failed spawn may report only its error.
    child.on('error', (failure) => {
      error = failure;
      done(null);
    });
    child.on('close', done);
  });
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? ''
  );
}

/** The absolute path of an executable on the runner's PATH, so a task's own PATH cannot replace it. */
function findProgram(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Said loudly: without a namespace, a task that calls setsid and clears its environment can escape. */
export function groupOnlyWarning(why: string | undefined): string {
  return (
    `tasks are contained by process groups only${why !== undefined ? ` (${why})` : ''}: a process that calls ` +
    'setsid and clears its environment can outlive the run; see "Process hygiene" in the README'
  );
}

/** What the init reported on fd 3. */
export type InitReport =
  | { kind: 'started' }
  | { kind: 'not-started'; errno: number }
  | { kind: 'exited'; exitCode: number; alone: boolean }
  | { kind: 'killed'; signal: number; alone: boolean };

export function parseInitReport(line: string): InitReport | undefined {
  const match = /^([rexk])(?: (\d+))?(?: ([01]))?$/.exec(line);
  if (!match) return undefined;
  const value = Number(match[2]);
  // Without the flag, the namespace's state is unknown: only a scan can tell.
  const alone = match[3] === '0';
  switch (match[1]) {
    case 'r':
      return { kind: 'started' };
    case 'e':
      return { kind: 'not-started', errno: value };
    case 'x':
      return { kind: 'exited', exitCode: value, alone };
    default:
      return { kind: 'killed', signal: value, alone };
  }
}
