import { describe, expect, it } from 'vitest';
import { historyScripts } from '../../src/history/lua-scripts.js';

describe('Redis scripts', () => {
  it('each file is named with the number of keys it uses, and builds no key from its arguments alone', () => {
    const scripts = historyScripts();
    expect(scripts.map((s) => s.name).sort()).toEqual([
      'listClasses',
      'pruneClasses',
      'recentRuns',
      'recordRun',
    ]);
    for (const script of scripts) {
      const used = [...script.lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(Math.max(...used), script.name).toBe(script.numberOfKeys);
      expect(script.lua, script.name).not.toMatch(/'KEYS'|redis\.call\('(KEYS|SCAN)'/);
    }
  });
});
