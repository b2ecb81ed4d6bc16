import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private redis-server for tests: its own port and temp folder, so a test may kill, pause and
 * restart it without touching the shared server on 6379. Servers still running when the test
 * process exits are killed.
 */

export interface RedisServerOptions {
  /** A fixed port, e.g. to start Redis where a client is already trying to connect. */
  port?: number;
  /** Append-only file with fsync on every write, so data survives SIGKILL and restart. */
  persist?: boolean;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Working folder (AOF files when persisting). */
  readonly dir: string;
  readonly isRunning: boolean;
  /** Ends the server abruptly (SIGKILL by default) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered, like a hung or overloaded server. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Kills the server and removes its folder. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

function serverArgs(port: number, dir: string, persist: boolean): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    persist ? 'yes' : 'no',
    ...(persist ? ['--appendfsync', 'always'] : []),
    '--daemonize',
    'no',
    '--logfile',
    '',
    // Lets tests use DEBUG SLEEP to simulate a slow server; only from localhost.
    '--enable-debug-command',
    'local',
  ];
}

function launch(port: number, dir: string, persist: boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', serverArgs(port, dir, persist), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} not ready within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      reject(
        new Error(`redis-server on port ${port} exited (${code ?? signal}) before it was ready:\n${output}`),
      );
    });
  });
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-stress-redis-'));
  const persist = options.persist ?? false;
  let port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;
  for (let attempt = 0; child === undefined; attempt += 1) {
    try {
      child = await launch(port, dir, persist);
    } catch (error) {
      // Another process may have taken a free port between the check and the start.
      if (options.port !== undefined || attempt >= 3) throw error;
      port = await freePort();
    }
  }
  let current: ChildProcess | undefined = child;

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get isRunning() {
      return current !== undefined && current.exitCode === null && current.signalCode === null;
    },
    async kill(signal = 'SIGKILL') {
      if (current === undefined) return;
      const victim = current;
      current = undefined;
      victim.kill('SIGCONT');
      victim.kill(signal);
      await waitForExit(victim);
    },
    async restart() {
      if (current !== undefined) throw new Error('redis-server is still running; kill() it first');
      current = await launch(port, dir, persist);
    },
    pause() {
      current?.kill('SIGSTOP');
    },
    resume() {
      current?.kill('SIGCONT');
    },
    async stop() {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
