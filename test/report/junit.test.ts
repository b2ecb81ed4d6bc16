import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it } from 'vitest';
import { JUnitReporter, junitXml } from '../../src/report/junit.js';
import { anyText, attempt, HOSTILE, report, task } from './fixtures.js';

/** A strict XML 1.0 parser: throws on any well-formedness error, including characters XML forbids. */
function assertWellFormed(xml: string): void {
  const parser = new SaxesParser();
  parser.write(xml).close();
}

const ARRAYS = new Set([
  'testsuite',
  'testcase',
  'property',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
]);

interface Node {
  [key: string]: unknown;
}

function parse(xml: string): { suites: Node; suite: Node; cases: Node[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    htmlEntities: true,
    isArray: (name) => ARRAYS.has(name),
  }).parse(xml) as { testsuites: Node };
  const suites = doc.testsuites;
  const suite = (suites.testsuite as Node[])[0]!;
  return { suites, suite, cases: (suite.testcase as Node[] | undefined) ?? [] };
}

function props(node: Node): Record<string, string> {
  const list = ((node.properties as Node | undefined)?.property as Node[] | undefined) ?? [];
  return Object.fromEntries(list.map((p) => [p.name as string, p.value as string]));
}

const mixed = report(
  [
    task('ok', [attempt()], { category: 'simple' }),
    task('bad', [attempt({ reason: 'failed', messages: ['expected stdout to contain "done"'] })], {
      category: 'simple',
    }),
    task('slow', [attempt({ reason: 'timed-out', messages: ['max limit 60s reached'] })], {
      category: 'long',
    }),
    task('quiet', [attempt({ reason: 'stalled', messages: ['no progress for 20s'] })]),
    task('boom', [attempt({ reason: 'crashed', messages: ['spawn ENOENT'] })]),
    task('never', []),
    task('flaky', [attempt({ reason: 'failed' }), attempt({ reason: 'stalled' }), attempt()]),
  ],
  { shard: { index: 2, total: 4 } },
);

describe('junitXml', () => {
  it('gives consumers counts that match the testcases and the run totals', () => {
    const xml = junitXml(mixed);
    assertWellFormed(xml);
    const { suites, suite, cases } = parse(xml);
    expect(suite).toMatchObject({
      name: 'demo',
      tests: '7',
      failures: '1',
      errors: '3',
      skipped: '1',
      time: '42.000',
    });
    expect(suites).toMatchObject({ tests: '7', failures: '1', errors: '3', time: '42.000' });
    // junit-10.xsd (Jenkins xUnit) allows no `skipped` on <testsuites>.
    expect(suites).not.toHaveProperty('skipped');
    expect(suite.timestamp).toBe(mixed.startedAt);
    expect(cases).toHaveLength(7);
    expect(cases.filter((c) => 'failure' in c)).toHaveLength(1);
    expect(cases.filter((c) => 'error' in c)).toHaveLength(3);
    expect(cases.filter((c) => 'skipped' in c)).toHaveLength(1);
    expect(props(suite)).toMatchObject({ verdict: 'fail', target: '0.9', shard: '2/4' });
  });

  it('names each testcase by its stable task id, with the human name and source line in system-out', () => {
    const withLine = report([task('ok', [attempt()], { category: 'simple', line: 12 })]);
    const { cases } = parse(junitXml(withLine));
    expect(cases[0]).toMatchObject({ classname: 'simple', name: 'ok', time: '1.500' });
    expect(String(cases[0]!['system-out'])).toMatch(/^name: Task ok\nsource: \/suites\/demo\.yaml:12\n/);
    expect(parse(junitXml(mixed)).cases[3]).toMatchObject({ classname: 'demo', name: 'quiet' });
  });

  it('puts no properties on testcases, which junit-10.xsd forbids', () => {
    const { cases } = parse(junitXml(mixed));
    for (const c of cases) expect(c).not.toHaveProperty('properties');
  });

  it('marks expectation failures as failure and kills or crashes as error, typed by reason', () => {
    const { cases } = parse(junitXml(mixed));
    const byId = new Map(cases.map((c) => [c.name as string, c]));
    expect(byId.get('bad')!.failure).toMatchObject({
      type: 'failed',
      message: 'expected stdout to contain "done"',
    });
    expect(byId.get('slow')!.error).toMatchObject({ type: 'timed-out', message: 'max limit 60s reached' });
    expect(byId.get('quiet')!.error).toMatchObject({ type: 'stalled' });
    expect(byId.get('boom')!.error).toMatchObject({ type: 'crashed', message: 'spawn ENOENT' });
    expect(byId.get('never')!.skipped).toMatchObject({ message: 'cancelled' });
    expect(String((byId.get('slow')!.error as Node)['#text'])).toContain('limits: max 1m00s (learned');
    expect(String(byId.get('ok')!['system-out'])).toContain('last line of output');
  });

  it('records a retried success as passed but flaky, with each failed attempt', () => {
    const { cases } = parse(junitXml(mixed));
    const flaky = cases.find((c) => c.name === 'flaky')!;
    expect(flaky).not.toHaveProperty('failure');
    expect(flaky).not.toHaveProperty('error');
    expect((flaky.flakyFailure as Node[]).map((f) => f.type)).toEqual(['failed']);
    expect((flaky.flakyError as Node[]).map((f) => f.type)).toEqual(['stalled']);
    // Surefire's shape: the evidence in <stackTrace>, the attempt's output in <system-out>.
    const [stalled] = flaky.flakyError as Node[];
    expect(String(stalled!.stackTrace)).toContain('attempt 2 of 3: stalled');
    expect(String(stalled!['system-out'])).toBe('last line of output');
    expect(String(stalled!['#text'] ?? '').trim()).toBe('');
    expect(String(flaky['system-out'])).toContain('flaky: passed on attempt 3 after 2 failed attempt(s)');
  });

  it('keeps earlier failed attempts of a task that never passed as reruns', () => {
    const xml = junitXml(
      report([task('x', [attempt({ reason: 'timed-out' }), attempt({ reason: 'failed' })])]),
    );
    const [only] = parse(xml).cases;
    expect(only!.failure).toMatchObject({ type: 'failed' });
    expect((only!.rerunError as Node[])[0]).toMatchObject({ type: 'timed-out' });
  });

  it('survives hostile text everywhere and keeps what is printable', () => {
    const hostile = report(
      [
        task(
          `id-${HOSTILE}`,
          [attempt({ reason: 'failed', messages: [HOSTILE], outputTail: HOSTILE, command: HOSTILE })],
          { name: HOSTILE, category: HOSTILE },
        ),
      ],
      { suite: { name: HOSTILE, file: HOSTILE } },
    );
    const xml = junitXml(hostile);
    assertWellFormed(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
    expect(xml).not.toContain('<script>');
    const { suite, cases } = parse(xml);
    const failure = cases[0]!.failure as Node;
    // Newlines survive inside attributes (as &#10;) and the markup characters come back as text.
    expect(failure.message).toContain('a\nb\r\nc\t<script>alert("x")</script> & \'q\' ]]>');
    expect(failure.message).toMatch(/red +🙂 end/);
    expect(suite.name).toContain('<script>');
    expect(String(cases[0]!['system-out'])).toContain(']]>');
  });

  it('produces well-formed XML for any string a task can print', () => {
    fc.assert(
      fc.property(anyText(80), fc.string({ maxLength: 20 }), (text, id) => {
        const xml = junitXml(
          report([
            task(id || 'x', [attempt({ reason: 'crashed', messages: [text], outputTail: text })], {
              name: text,
            }),
          ]),
        );
        assertWellFormed(xml);
        expect(XMLValidator.validate(xml)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('JUnitReporter', () => {
  let dir = '';
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('writes junit.xml into the output folder at the end of the run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cc-stress-junit-'));
    const reporter = new JUnitReporter({ outDir: join(dir, 'nested') });
    await reporter.onEnd(mixed);
    const xml = await readFile(join(dir, 'nested', 'junit.xml'), 'utf8');
    expect(xml).toBe(junitXml(mixed));
  });
});
