import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type ChildResult, finished } from '../helpers/child-output.js';

export { type ChildResult, finished };

/**
 * Child processes run the built store code (`npm test` builds first), the same code bin/ runs. Node 20
 * cannot run TypeScript, so only the fixtures are transpiled, once per test file, into a temp tree whose
 * src/ is a link to dist/ (and node_modules a link to the project's), so their imports resolve as written.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = 'test/history/fixtures';

let built: string | undefined;

function buildTree(): string {
  if (built !== undefined) return built;
  const dist = join(repo, 'dist');
  if (!existsSync(join(dist, 'history')))
    throw new Error(`${dist} is missing: run npm run build (npm test does)`);
  const root = mkdtempSync(join(tmpdir(), 'cc-stress-children-'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(dist, join(root, 'src'));
  mkdirSync(join(root, fixtures), { recursive: true });
  for (const file of readdirSync(join(repo, fixtures))) {
    if (!file.endsWith('.ts')) continue;
    const output = ts.transpileModule(readFileSync(join(repo, fixtures, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    writeFileSync(join(root, fixtures, file.replace(/\.ts$/, '.js')), output.outputText);
  }
  built = root;
  return root;
}

/** Removes the transpiled tree; call from afterAll of a file that spawned fixtures. */
export function removeFixtureTree(): void {
  if (built !== undefined) rmSync(built, { recursive: true, force: true });
  built = undefined;
}

/** Starts `test/history/fixtures/<name>.ts` (transpiled) in a new node process. */
export function spawnFixture(name: string, args: string[]): ChildProcess {
  const root = buildTree();
  const script = join(root, 'test/history/fixtures', `${name}.js`);
  return spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: root });
}

/**
 * Runs several writer fixtures and lets them write at the same moment: each opens its store and
 * says "ready"; when all have, they get the go together.
 */
export function runWritersTogether(optionsPerWriter: Array<Record<string, unknown>>): Promise<ChildResult[]> {
  return runFixturesTogether('writer', optionsPerWriter);
}

/** Runs one fixture per options object, started together as in runWritersTogether. */
export async function runFixturesTogether(
  fixture: string,
  optionsPerChild: Array<Record<string, unknown>>,
): Promise<ChildResult[]> {
  const children = optionsPerChild.map((options) =>
    spawnFixture(fixture, [JSON.stringify({ ...options, waitForGo: true })]),
  );
  const results = children.map((child) => finished(child));
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolveReady, reject) => {
          let seen = '';
          const onData = (chunk: Buffer): void => {
            seen += chunk.toString();
            if (seen.startsWith('ready\n')) {
              child.stdout?.off('data', onData);
              resolveReady();
            }
          };
          child.stdout?.on('data', onData);
          child.once('close', () => reject(new Error(`${fixture} ended before it was ready: ${seen}`)));
        }),
    ),
  ).catch(async (error: unknown) => {
    const ended = await Promise.all(results);
    throw new Error(`${String(error)}\n${ended.map((r) => r.stderr).join('\n')}`);
  });
  const started = performance.now();
  for (const child of children) child.stdin?.write('go\n');
  const ended = await Promise.all(results);
  console.info(
    `${children.length} ${fixture}s finished ${((performance.now() - started) / 1000).toFixed(2)} s after the go`,
  );
  return ended;
}
