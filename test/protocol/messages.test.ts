import { describe, expect, it } from 'vitest';
import { readNotification, readOutputParams } from '../../src/protocol/messages.js';

describe('readNotification', () => {
  it('reads a method with its params, and treats absent or null params as none', () => {
    expect(readNotification({ jsonrpc: '2.0', method: 'ping', params: { timestamp: 1 } })).toEqual({
      method: 'ping',
      params: { timestamp: 1 },
    });
    expect(readNotification({ method: 'process.started' })).toEqual({
      method: 'process.started',
      params: {},
    });
    expect(readNotification({ method: 'process.started', params: null })).toEqual({
      method: 'process.started',
      params: {},
    });
  });

  it('refuses what is not a notification', () => {
    for (const frame of [
      null,
      'process.output',
      [{ method: 'ping' }],
      {},
      { method: '' },
      { method: 7 },
      { method: 'process.output', params: 'hello' },
      { method: 'process.output', params: ['hello'] },
    ]) {
      expect(readNotification(frame)).toBeUndefined();
    }
  });
});

describe('readOutputParams', () => {
  it('reads the stream and the text, several lines or one, and leniently', () => {
    expect(readOutputParams({ type: 'stderr', data: 'a\nb\n', truncated: false })).toEqual({
      type: 'stderr',
      data: 'a\nb\n',
    });
    // The existing service's frames are the reference: an unknown or missing stream is stdout.
    expect(readOutputParams({ type: 'STDOUT', data: 'x' })).toEqual({ type: 'stdout', data: 'x' });
    expect(readOutputParams({ data: '' })).toEqual({ type: 'stdout', data: '' });
  });

  it('refuses output without text', () => {
    expect(readOutputParams({ type: 'stdout' })).toBeUndefined();
    expect(readOutputParams({ type: 'stdout', data: 42 })).toBeUndefined();
  });
});
