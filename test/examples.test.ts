import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

/**
 * No Actions runner or Docker daemon exists where the tests run, so the examples are checked by what
 * they say: they parse, and the parts that make them work are where they must be.
 */

type Node = Record<string, unknown>;

function load(name: string): Node {
  const path = fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((w) => w.message)).toEqual([]);
  return doc.toJS() as Node;
}

const at = (node: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | undefined)?.[key], node);

// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
const MATRIX_SHARD = '${{ matrix.shard }}';

type Step = { uses?: string; run?: string; with?: Node; if?: string };

describe('examples/github-actions.yml', () => {
  const workflow = load('github-actions.yml');
  const shard = at(workflow, 'jobs', 'shard') as Node;
  const merge = at(workflow, 'jobs', 'merge') as Node;
  const shardSteps = shard.steps as Step[];
  const mergeSteps = merge.steps as Step[];

  it('runs 4 shards with a Redis service and the history URL in the environment', () => {
    expect(at(shard, 'strategy', 'matrix', 'shard')).toEqual([1, 2, 3, 4]);
    expect(at(shard, 'strategy', 'fail-fast')).toBe(false);
    expect(String(at(shard, 'services', 'redis', 'image'))).toMatch(/^redis:/);
    expect(at(shard, 'services', 'redis', 'ports')).toEqual(['6379:6379']);
    expect(String(at(shard, 'services', 'redis', 'options'))).toContain('--health-cmd');
    expect(String(at(shard, 'env', 'CC_STRESS_REDIS_URL'))).toContain('redis://localhost:6379');
    const run = shardSteps.find((s) => s.run?.includes('cc-stress run'));
    expect(run?.run).toContain(`--shard ${MATRIX_SHARD}/4`);
    expect(run?.run).toContain('--out reports');
  });

  it('uploads each shard’s reports, even when the shard failed', () => {
    const upload = shardSteps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toBe('reports/');
    expect(upload?.with?.name).toBe(`reports-shard-${MATRIX_SHARD}`);
  });

  it('merges after all shards and gates with merge-reports', () => {
    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe('always()');
    const download = mergeSteps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with?.pattern).toBe('reports-shard-*');
    const gate = mergeSteps.find((s) => s.run?.includes('cc-stress merge-reports'));
    expect(gate?.run).toMatch(
      new RegExp(`merge-reports ${download?.with?.path}/\\*/report\\.json --json \\S+ --junit \\S+`),
    );
    // The gate step must fail the job: nothing may swallow its exit code.
    expect(gate?.run).not.toMatch(/\|\||continue-on-error|; *true/);
    expect(at(gate, 'continue-on-error')).toBeUndefined();
  });

  it('publishes the merged JUnit as a test report, even when the gate failed, with the permission it needs', () => {
    const publish = mergeSteps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report@'));
    expect(publish?.if).toBe('always()');
    expect(publish?.with?.report_paths).toBe('merged/junit.xml');
    expect(at(merge, 'permissions', 'checks')).toBe('write');
    const gate = mergeSteps.findIndex((s) => s.run?.includes('cc-stress merge-reports'));
    expect(mergeSteps.indexOf(publish!)).toBeGreaterThan(gate);
  });

  it('leaves annotations and the job summary to the merge job, so each failure is annotated once', () => {
    const run = shardSteps.find((s) => s.run?.includes('cc-stress run'));
    const reporters = /--reporter (\S+)/.exec(run?.run ?? '')?.[1]?.split(',');
    expect(reporters).toEqual(expect.arrayContaining(['json', 'junit']));
    expect(reporters).not.toContain('auto');
    expect(reporters).not.toContain('github');
  });
});

describe('examples/docker-compose.yml', () => {
  const compose = load('docker-compose.yml');
  const services = compose.services as Node;

  it('has redis, the executor and a runner', () => {
    expect(Object.keys(services).sort()).toEqual(['executor', 'redis', 'runner']);
    expect(String(at(services, 'redis', 'image'))).toMatch(/^redis:/);
    expect(at(services, 'redis', 'healthcheck', 'test')).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('serves on 0.0.0.0:8003 with a token and a /healthz healthcheck', () => {
    const command = at(services, 'executor', 'command') as string[];
    expect(command.slice(0, 5)).toEqual(['serve', '--host', '0.0.0.0', '--port', '8003']);
    expect(command[command.indexOf('--token') + 1]).toMatch(/^\$\{CC_STRESS_TOKEN:\?/);
    const check = (at(services, 'executor', 'healthcheck', 'test') as string[]).join(' ');
    expect(check).toContain('http://127.0.0.1:8003/healthz');
    expect(at(services, 'executor', 'environment', 'CC_STRESS_REDIS_URL')).toBe('redis://redis:6379');
  });

  it('runs a suite through the executor once both are healthy', () => {
    const command = at(services, 'runner', 'command') as string[];
    expect(command[0]).toBe('run');
    expect(command[command.indexOf('--executor') + 1]).toBe('ws://executor:8003/ws/mcp');
    expect(command[command.indexOf('--token') + 1]).toBe(
      (at(services, 'executor', 'command') as string[]).at(-1),
    );
    expect(at(services, 'runner', 'depends_on', 'executor', 'condition')).toBe('service_healthy');
    expect(at(services, 'runner', 'depends_on', 'redis', 'condition')).toBe('service_healthy');
    expect(at(services, 'runner', 'environment', 'CC_STRESS_REDIS_URL')).toBe('redis://redis:6379');
  });

  it('names only volumes it declares', () => {
    const declared = Object.keys(compose.volumes as Node);
    for (const service of Object.values(services)) {
      for (const volume of ((service as Node).volumes as string[] | undefined) ?? []) {
        expect(declared).toContain(volume.split(':')[0]);
      }
    }
  });
});
