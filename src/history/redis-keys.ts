import { createHash } from 'node:crypto';

/**
 * Redis key names. User text never becomes part of a key: a class is addressed by a hash of its
 * key, and the key itself is stored as a value so listings can show it.
 */

/** 128 bits of SHA-256 in hex: collisions are out of reach, keys stay short. */
export function classHash(classKey: string): string {
  return createHash('sha256').update(classKey, 'utf8').digest('hex').slice(0, 32);
}

export interface ClassKeys {
  /** Hash: runId -> record JSON. */
  runs: string;
  /** Sorted set: runId scored by the run's end time; also the de-duplication set. */
  order: string;
  /** Hash: classKey, lastAt. */
  meta: string;
}

export class RedisKeys {
  /** Sorted set of class hashes scored by last use. */
  readonly index: string;
  /** Prefix of a class's keys; the scripts append `<hash>:runs` etc. when evicting or pruning. */
  readonly classPrefix: string;

  constructor(prefix: string) {
    this.index = `${prefix}:classes`;
    this.classPrefix = `${prefix}:h:`;
  }

  forClass(hash: string): ClassKeys {
    const base = this.classPrefix + hash;
    return { runs: `${base}:runs`, order: `${base}:order`, meta: `${base}:meta` };
  }
}
