import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that name the option and the allowed range on bad input. */
export function intInRange(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    }
    return n;
  };
}

export function numberInRange(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max} (got "${value}")`);
    }
    return n;
  };
}

export interface Shard {
  index: number;
  total: number;
}

export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || total < 1 || total > 1000 || index < 1 || index > total) {
    throw new InvalidArgumentError(
      `--shard must be INDEX/TOTAL with 1 <= INDEX <= TOTAL <= 1000 (got "${value}")`,
    );
  }
  return { index, total };
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}
