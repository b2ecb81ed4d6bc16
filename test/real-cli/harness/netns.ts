import { readFileSync } from 'node:fs';

/**
 * The real agent CLIs may run only where the network is loopback alone: a fresh network namespace
 * (`unshare -n`) with `lo` brought up. Anything a CLI tries to reach beyond 127.0.0.1 then fails at once.
 */

/** The network interfaces this process sees (its own namespace's, from /proc/self/net/dev). */
export function networkInterfaces(devFile = '/proc/self/net/dev'): string[] {
  return readFileSync(devFile, 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter((name) => name.length > 0);
}

/** Throws unless this process runs in a network namespace that has the loopback interface alone. */
export function assertLoopbackOnly(devFile?: string): void {
  const names = networkInterfaces(devFile);
  const others = names.filter((name) => name !== 'lo');
  if (others.length > 0 || !names.includes('lo')) {
    throw new Error(
      `refusing to start a real agent CLI: this network namespace has ${names.join(', ') || 'no interfaces'}; ` +
        'run it through runInNamespace (unshare -n, lo only)',
    );
  }
}

/**
 * The command line that runs `argv` in a new loopback-only network namespace. Needs root (or user
 * namespaces); where none can be made, unshare exits non-zero and says why on stderr.
 */
export function inNewNetworkNamespace(argv: string[]): { file: string; args: string[] } {
  return { file: 'unshare', args: ['-n', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...argv] };
}
