export type MatrixValue = string | number | boolean;

/** One combination: variable name to value, in the order the matrix keys were written. */
export type Combination = ReadonlyArray<readonly [string, string]>;

/** How many tasks a matrix expands to (1 without a matrix), computed without building them. */
export function combinationCount(matrix: Record<string, readonly MatrixValue[]> | undefined): number {
  if (matrix === undefined) return 1;
  return Object.values(matrix).reduce((count, values) => count * values.length, 1);
}

/** Every combination of the matrix values; the last key varies fastest. No matrix is one empty combination. */
export function combinations(matrix: Record<string, readonly MatrixValue[]> | undefined): Combination[] {
  let result: [string, string][][] = [[]];
  for (const [key, values] of Object.entries(matrix ?? {})) {
    result = result.flatMap((combination) =>
      values.map((value): [string, string][] => [...combination, [key, String(value)]]),
    );
  }
  return result as Combination[];
}

/** `id[k1=v1,k2=v2]` for a matrix combination; the plain id without one. */
export function combinationId(id: string, combination: Combination): string {
  if (combination.length === 0) return id;
  return `${id}[${combination.map(([key, value]) => `${key}=${value}`).join(',')}]`;
}

/** `id#3` for the third of several repeats; the id unchanged when the task runs once. */
export function repeatId(id: string, index: number, repeat: number): string {
  return repeat > 1 ? `${id}#${index}` : id;
}
