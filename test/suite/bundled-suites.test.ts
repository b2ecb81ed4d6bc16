import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadSuite } from '../../src/suite/index.js';

/** Every suite and example shipped with cc-stress must load: a user's first run starts from them. */

const dir = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const SUITES = dir('../../suites/');
const EXAMPLES = dir('../../examples/');
const REAL_CLI_SUITES = dir('../real-cli/suites/');

const yamlFiles = (folder: string) => readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));

describe('bundled suites', () => {
  it.each(yamlFiles(SUITES))('suites/%s loads, validates and expands', (name) => {
    const suite = loadSuite(`${SUITES}${name}`, { env: { TMPDIR: '/tmp', CC_REAL_CLI_HOMES: '/tmp' } });
    expect(suite.tasks.length).toBeGreaterThan(0);
  });

  it.each(yamlFiles(REAL_CLI_SUITES))('test/real-cli/suites/%s loads', (name) => {
    const suite = loadSuite(`${REAL_CLI_SUITES}${name}`, { env: { CC_REAL_CLI_HOMES: '/tmp' } });
    expect(suite.tasks.length).toBeGreaterThan(0);
  });

  it('keeps the unified suite runnable against the real claude', () => {
    const suite = loadSuite(`${SUITES}unified.yaml`, { env: { TMPDIR: '/tmp' } });
    expect(suite.tasks.every((task) => task.argv[0] === 'claude')).toBe(true);
  });
});

describe('bundled examples', () => {
  it.each(readdirSync(EXAMPLES))('examples/%s is valid YAML without warnings', (name) => {
    const doc = parseDocument(readFileSync(`${EXAMPLES}${name}`, 'utf8'), { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
    expect(doc.warnings.map((w) => w.message)).toEqual([]);
  });
});
