import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { packageRoot } from '../package-root.js';

/** The scripts stay readable .lua files instead of strings embedded in code. */
const luaFolder = (): string => join(packageRoot(), 'src', 'history', 'lua');

export interface LuaScript {
  name: string;
  numberOfKeys: number;
  lua: string;
}

let loaded: LuaScript[] | undefined;

/** Every `<name>-<keyCount>.lua` in the folder; read once per process. */
export function historyScripts(): LuaScript[] {
  if (loaded !== undefined) return loaded;
  const scripts: LuaScript[] = [];
  const folder = luaFolder();
  for (const file of readdirSync(folder)) {
    const match = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
    if (match === null) continue;
    scripts.push({
      name: match[1]!,
      numberOfKeys: Number(match[2]),
      lua: readFileSync(join(folder, file), 'utf8'),
    });
  }
  loaded = scripts;
  return scripts;
}

type Arg = string | number;

/** The commands `defineScripts` adds; argument order is documented at the top of each script. */
export interface HistoryCommands {
  recordRun(runs: string, order: string, meta: string, index: string, ...args: Arg[]): Promise<number>;
  recentRuns(runs: string, order: string, limit: Arg): Promise<string[]>;
  listClasses(index: string, limit: Arg, classPrefix: string): Promise<Array<string | number>>;
  pruneClasses(index: string, olderThan: Arg, classPrefix: string, batch: Arg): Promise<number>;
}

export type ScriptedRedis = Redis & HistoryCommands;

const expected: ReadonlyArray<keyof HistoryCommands> = [
  'recordRun',
  'recentRuns',
  'listClasses',
  'pruneClasses',
];

/** Registers the scripts (sent once, then called by SHA) and checks none is missing. */
export function defineScripts(redis: Redis): ScriptedRedis {
  const scripts = historyScripts();
  for (const name of expected) {
    if (!scripts.some((script) => script.name === name)) {
      throw new Error(`Redis script ${name}-N.lua is missing from ${luaFolder()}`);
    }
  }
  for (const script of scripts) {
    redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  return redis as ScriptedRedis;
}
