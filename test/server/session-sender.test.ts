import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { notification } from '../../src/protocol/messages.js';
import { SessionSender } from '../../src/server/session-sender.js';

/** The part of a ws socket the sender uses, with the unsent byte count under the test's control. */
class StubSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: Array<{ method: string; params: Record<string, unknown> }> = [];
  send(frame: string): void {
    this.frames.push(JSON.parse(frame));
  }
  outputs(): Array<[unknown, unknown, unknown]> {
    return this.frames
      .filter((frame) => frame.method === 'process.output')
      .map((frame) => [frame.params.type, frame.params.data, frame.params.chunk_index]);
  }
}

const senders: SessionSender[] = [];
afterEach(() => {
  for (const sender of senders.splice(0)) sender.stopTimers();
});

function sender(
  batch: boolean,
  dropped?: (bytes: number) => void,
): { socket: StubSocket; sender: SessionSender } {
  const socket = new StubSocket();
  const created = new SessionSender(
    socket as unknown as WebSocket,
    { maxBufferedBytes: 1000, hardLimitBytes: 10_000 },
    () => {},
    dropped,
  );
  created.batchOutput(batch);
  senders.push(created);
  return { socket, sender: created };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SessionSender', () => {
  it('sends one frame per line unless the client asked for batches', () => {
    const { socket, sender: out } = sender(false);
    out.output('stdout', 'a\n', null, null);
    out.output('stdout', 'b\n', null, null);
    expect(socket.outputs()).toEqual([
      ['stdout', 'a\n', null],
      ['stdout', 'b\n', null],
    ]);
  });

  it('batches whole lines until the end of the turn, keeping the order of streams, chunks and other frames', async () => {
    const { socket, sender: out } = sender(true);
    out.output('stdout', 'a\n', null, null);
    out.output('stdout', 'b\n', null, null);
    out.output('stderr', 'c\n', null, null);
    out.output('stderr', 'long', 0, null);
    out.output('stderr', ' line\n', 1, 2);
    out.output('stdout', 'd\n', null, null);
    out.send(notification('process.progress', { kind: 'cpu', since_progress_ms: 0 }));
    out.output('stdout', 'e\n', null, null);
    out.output('stdout', 'f\n', null, null);
    expect(socket.frames.at(-1)?.method).toBe('process.progress');
    await nextTurn();
    expect(socket.frames.map((frame) => frame.method)).toEqual([
      ...Array(5).fill('process.output'),
      'process.progress',
      'process.output',
    ]);
    expect(socket.outputs()).toEqual([
      ['stdout', 'a\nb\n', null],
      ['stderr', 'c\n', null],
      ['stderr', 'long', 0],
      ['stderr', ' line\n', 1],
      ['stdout', 'd\n', null],
      ['stdout', 'e\nf\n', null],
    ]);
  });

  it('sends the last batch, then the marker of what was dropped, when the process ends', () => {
    const dropped: number[] = [];
    const { socket, sender: out } = sender(true, (bytes) => dropped.push(bytes));
    out.output('stdout', 'kept\n', null, null);
    out.finishOutput();
    socket.bufferedAmount = 5000;
    out.output('stdout', 'lost 1\n', null, null);
    out.output('stdout', 'lost 2\n', null, null);
    out.finishOutput();
    socket.bufferedAmount = 0;
    out.output('stdout', 'after\n', null, null);
    out.finishOutput();
    expect(socket.outputs()).toEqual([
      ['stdout', 'kept\n', null],
      [
        'stderr',
        '[cc-stress server: dropped 14 bytes (2 lines) of output because the client read more slowly than the process wrote]\n',
        null,
      ],
      ['stdout', 'after\n', null],
    ]);
    expect(dropped).toEqual([14]);
  });
});
