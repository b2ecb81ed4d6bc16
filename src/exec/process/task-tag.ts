import { randomBytes } from 'node:crypto';

/**
 * Every task process carries this variable, the way Jenkins marks build processes with BUILD_ID: a daemon
 * that left the process group and was reparented to init can still be found (and stopped) by it.
 * A nested cc-stress appends its own tag, so the outer runner still recognises the whole tree.
 */
export const TASK_TAG_VAR = 'CC_STRESS_TASK_TAG';

/** One per executor: the prefix of all its task tags. */
export function newRunnerToken(): string {
  return randomBytes(6).toString('hex');
}

export function taskTag(runnerToken: string, sequence: number): string {
  return `${runnerToken}.${sequence}`;
}

/** The variable's value for a child: the tags of enclosing runners (if any), then ours. */
export function tagValue(inherited: string | undefined, tag: string): string {
  return inherited ? `${inherited} ${tag}` : tag;
}

export function hasTag(value: string | undefined, tag: string): boolean {
  return value?.split(' ').includes(tag) ?? false;
}
