import { readdirSync, readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface Frame {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
  /** A binary frame (output for `binary_output`), as received. */
  binary?: Buffer;
}

/** A bare protocol client for tests: records every frame and waits for the ones a test expects. */
export class RawClient {
  readonly frames: Frame[] = [];
  private nextId = 1;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { binary: data as Buffer } : (JSON.parse(data.toString()) as Frame));
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    socket.on('error', () => {});
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new RawClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Connects and waits for the server's `connected` notification, as a client must before it executes. */
  static async session(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const client = await RawClient.connect(url, headers);
    await client.waitFor((frame) => frame.method === 'connected');
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a request and returns its id. */
  request(method: string, params: Record<string, unknown> = {}): number {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }

  async response(id: number, timeoutMs = 10_000): Promise<Frame> {
    return this.waitFor((frame) => frame.id === id, timeoutMs);
  }

  async call(method: string, params: Record<string, unknown> = {}): Promise<Frame> {
    return this.response(this.request(method, params));
  }

  /** The first frame (from the start of the session) matching the predicate. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(-600)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  method(name: string): Frame[] {
    return this.frames.filter((frame) => frame.method === name);
  }

  close(): void {
    this.socket.close(1000);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Process ids in a process group, read from /proc. */
export function processesInGroup(pgid: number): number[] {
  return groupStates(pgid).map((p) => p.pid);
}

/** Live members of a process group with their state letter (T: stopped by a signal). */
export function groupStates(pgid: number): { pid: number; state: string }[] {
  const found: { pid: number; state: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state, ppid, pgrp.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z')
        found.push({ pid: Number(name), state: fields[0]! });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
