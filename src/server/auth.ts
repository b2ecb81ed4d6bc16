import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';

/** True for names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  return bare.startsWith('::ffff:127.');
}

/**
 * The token from `Authorization: Bearer T`, or from `?token=T` only where the operator allowed it for
 * clients that cannot set headers: a token in a URL ends up in proxy and access logs.
 */
export function tokenOf(request: IncomingMessage, acceptQuery = false): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined) return match[1];
  }
  if (!acceptQuery) return undefined;
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
  return query ?? undefined;
}

/** Compares in constant time so the token cannot be guessed byte by byte from response timings. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
