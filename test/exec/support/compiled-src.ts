import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '../../..');
const srcRoot = join(root, 'src');

/**
 * Plain-JavaScript copy of the modules an entry point of src/ needs, for tests that must run the executor
 * in a node process of its own (to measure its memory, or to SIGKILL it). It lives under
 * node_modules/.cache so that it resolves the project's dependencies and its package.json ("type":
 * "module") as the real build does. `entry` is relative to src/, e.g. 'exec/local/local-executor.ts'.
 */
export function compileSrc(entry: string): { dir: string; remove(): void } {
  const dir = join(root, 'node_modules/.cache/cc-stress-tests', `src-${process.pid}-${Date.now()}`);
  const pending = [join(srcRoot, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file) || !existsSync(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      pending.push(resolve(dirname(file), `${match[1]}.ts`));
    }
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    }).outputText;
    const target = join(dir, relative(srcRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
