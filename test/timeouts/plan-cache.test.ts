import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanCache, planCachePathFor } from '../../src/timeouts/plan-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-stress-plan-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshPath = (): string => join(dir, `plans-${++files}.json`);
const plan = (maxMs: number, at = 1) => ({ maxMs, stallMs: maxMs / 2, at });

describe('PlanCache', () => {
  it('keeps only the most recently planned classes', () => {
    const cache = new PlanCache({ size: 2 });
    cache.remember('a', plan(1000));
    cache.remember('b', plan(2000));
    cache.get('a');
    cache.remember('a', plan(1500));
    cache.remember('c', plan(3000));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(plan(1500));
    expect(cache.get('c')).toEqual(plan(3000));
  });

  it('carries plans to the next run through its file, bounded by its size', () => {
    const path = freshPath();
    const first = new PlanCache({ size: 3, path });
    for (let i = 0; i < 5; i++) first.remember(`class-${i}`, plan(1000 * (i + 1)));
    first.flush();
    const next = new PlanCache({ size: 3, path });
    expect(next.get('class-4')).toEqual(plan(5000));
    expect(next.get('class-1')).toBeUndefined();
    expect(JSON.parse(readFileSync(path, 'utf8')).plans).toHaveLength(3);
  });

  it('carries a widened extension through its file, and reads files written without one', () => {
    const path = freshPath();
    const first = new PlanCache({ size: 10, path });
    first.remember('wide', { ...plan(1000), extensionByMs: 900 });
    first.remember('usual', plan(2000));
    first.flush();
    const next = new PlanCache({ size: 10, path });
    expect(next.get('wide')).toEqual({ ...plan(1000), extensionByMs: 900 });
    expect(next.get('usual')).toEqual(plan(2000));
  });

  it('merges what another process wrote, the newer plan of a class winning', () => {
    const path = freshPath();
    const one = new PlanCache({ size: 10, path });
    const two = new PlanCache({ size: 10, path });
    one.remember('shared', plan(1000, 10));
    one.remember('only-one', plan(7000, 10));
    one.flush();
    two.remember('shared', plan(2000, 20));
    two.flush();
    const later = new PlanCache({ size: 10, path });
    expect(later.get('shared')).toEqual(plan(2000, 20));
    expect(later.get('only-one')).toEqual(plan(7000, 10));
  });

  it('treats a damaged or foreign file as empty and replaces it on the next write', () => {
    for (const text of ['{not json', JSON.stringify({ version: 99, plans: [] }), '[1,2,3]']) {
      const path = freshPath();
      writeFileSync(path, text);
      const cache = new PlanCache({ size: 10, path });
      expect(cache.get('x')).toBeUndefined();
      cache.remember('x', plan(4000));
      cache.flush();
      expect(new PlanCache({ size: 10, path }).get('x')).toEqual(plan(4000));
    }
  });

  it('never throws when the file cannot be written', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const cache = new PlanCache({ size: 10, path: join(blocker, 'plans.json') });
    cache.remember('x', plan(1000));
    expect(() => cache.flush()).not.toThrow();
    expect(cache.get('x')).toEqual(plan(1000));
  });

  it('sits beside the history file', () => {
    expect(planCachePathFor('/home/u/.cache/cc-stress/history.db')).toBe(
      '/home/u/.cache/cc-stress/history.db.last-plans.json',
    );
  });
});
