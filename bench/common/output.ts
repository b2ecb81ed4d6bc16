import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Where reports go unless --out says otherwise: reports/bench under the working folder. */
export const DEFAULT_OUT = join('reports', 'bench');

export function writeOutputs(dir: string, name: string, json: unknown, svg: string): string[] {
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${name}.json`);
  const svgPath = join(dir, `${name}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(svgPath, svg);
  return [jsonPath, svgPath];
}

/** The machine, so that absolute figures can be read for what they are. */
export function machine(): {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
} {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
