import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type FieldPath, SuiteError, SuiteErrors } from './errors.js';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** A parsed suite file that can say where any field of it was written. */
export interface YamlSource {
  /** The file as the user named it. */
  readonly file: string;
  /** The document as plain data (mappings, lists, scalars). */
  readonly data: unknown;
  /**
   * Where the node at `path` starts; `key` points at the mapping key instead of its value.
   * When the path does not exist (a missing field) this is the nearest enclosing node.
   */
  locate(path: FieldPath, target?: 'value' | 'key'): Position;
  /** Where `needle` first occurs in the source of the node at `path`, else where the node starts. */
  locateText(path: FieldPath, needle: string): Position;
  /** An error at the node of `path`. */
  error(path: FieldPath, field: string, reason: string, target?: 'value' | 'key'): SuiteError;
}

// Anchors make a small file expand into a huge value; the yaml package stops at this many alias uses.
const MAX_ALIAS_COUNT = 1000;

/** Parses YAML text, keeping node positions; every syntax problem becomes a SuiteError. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are YAML 1.1, but people write them and expect them to work.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  // Warnings (such as unknown tags) would otherwise change values silently, so they are errors too.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw SuiteErrors.of(
      problems.map((problem) => {
        const { line, column } = position(problem.pos[0]);
        return new SuiteError({ file, line, column, reason: `invalid YAML: ${problem.message}` });
      }),
    );
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new SuiteError({ file, line: 1, column: 1, reason: `invalid YAML: ${(error as Error).message}` });
  }

  const find = (path: FieldPath, target: 'value' | 'key'): Node | null => {
    let node: Node | null = doc.contents;
    let found = node;
    for (const [i, segment] of path.entries()) {
      while (node !== null && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
      let next: Node | null = null;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair !== undefined) {
          const last = i === path.length - 1;
          next =
            last && target === 'key'
              ? (pair.key as Node)
              : ((pair.value as Node | null) ?? (pair.key as Node));
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = (node.items[segment] as Node | undefined) ?? null;
      }
      if (next === null) break;
      node = next;
      found = next;
    }
    return found;
  };

  const startOf = (node: Node | null): Position =>
    node?.range ? position(node.range[0]) : { line: 1, column: 1 };

  const source: YamlSource = {
    file,
    data,
    locate: (path, target = 'value') => startOf(find(path, target)),
    locateText: (path, needle) => {
      const node = find(path, 'value');
      if (!node?.range) return { line: 1, column: 1 };
      const index = text.slice(node.range[0], node.range[1]).indexOf(needle);
      return index < 0 ? startOf(node) : position(node.range[0] + index);
    },
    error: (path, field, reason, target = 'value') => {
      const { line, column } = source.locate(path, target);
      return new SuiteError({ file, line, column, field, reason });
    },
  };
  return source;
}
