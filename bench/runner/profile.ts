import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reading a V8 CPU profile (`node --cpu-prof`): where the self time went, as a short text table. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  pct: number;
}

/** Self time per function (summed over every call site), largest first. */
export function hotSpots(profile: CpuProfile, top: number): { totalMs: number; spots: HotSpot[] } {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    // A sample's time is the gap to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (node === undefined) continue;
    totalUs += us;
    const frame = node.callFrame;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist|dist-bench)\//, '$1/');
    const where = file === '' ? '' : `${file}:${frame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = self.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    self.set(key, entry);
  }
  const spots = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, pct: (100 * e.us) / totalUs }));
  return { totalMs: totalUs / 1000, spots };
}

export function hotSpotText(title: string, profile: CpuProfile, top = 20): string {
  const { totalMs, spots } = hotSpots(profile, top);
  const lines = spots.map(
    (s) => `${s.selfMs.toFixed(0).padStart(7)} ms ${s.pct.toFixed(1).padStart(5)}%  ${s.name}  ${s.where}`,
  );
  return `${title}: ${totalMs.toFixed(0)} ms sampled; top ${spots.length} functions by self time\n\n${lines.join('\n')}\n`;
}

/**
 * Gives the single profile Node wrote into `dir` for one run the name `name`.cpuprofile, writes its
 * summary next to it, and returns the summary.
 */
export function settleProfile(dir: string, written: readonly string[], name: string, title: string): string {
  const fresh = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !written.includes(f));
  if (fresh.length !== 1)
    throw new Error(`profile ${name}: expected one new .cpuprofile, found ${fresh.length}`);
  const target = join(dir, `${name}.cpuprofile`);
  renameSync(join(dir, fresh[0]!), target);
  const text = hotSpotText(title, JSON.parse(readFileSync(target, 'utf8')) as CpuProfile);
  writeFileSync(join(dir, `${name}.txt`), text);
  return text;
}
