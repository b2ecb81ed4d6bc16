import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEMAS = fileURLToPath(new URL('../fixtures/junit-schemas/', import.meta.url));

/** The Jenkins xUnit plugin's schema: the whole junit.xml must pass it or the plugin skips the file. */
export const JUNIT_10_XSD = join(SCHEMAS, 'junit-10.xsd');
/** Maven Surefire's report schema: one <testsuite> per file, the rerun/flaky vocabulary. */
export const SUREFIRE_XSD = join(SCHEMAS, 'surefire-test-report.xsd');

export interface Validation {
  ok: boolean;
  /** xmllint's own words: "FILE validates", or one line per violation. */
  output: string;
}

/** Validates an XML file against an XSD with Debian's xmllint (libxml2-utils; .ci/run installs it). */
export function xmllintValidate(xmlFile: string, xsd: string): Validation {
  const result = spawnSync('xmllint', ['--noout', '--schema', xsd, xmlFile], { encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(`cannot run xmllint (${result.error.message}); install libxml2-utils`);
  }
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The first <testsuite> of a junit.xml as a file of its own, the shape Surefire's schema describes. */
export function extractTestsuite(xmlFile: string): string {
  const element = execFileSync('xmllint', ['--xpath', '/testsuites/testsuite[1]', xmlFile], {
    encoding: 'utf8',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'cc-stress-xsd-')), 'testsuite.xml');
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n${element}\n`);
  return file;
}

/** Both schemas' verdicts on one junit.xml. */
export function validateJUnit(xmlFile: string): { junit10: Validation; surefire: Validation } {
  return {
    junit10: xmllintValidate(xmlFile, JUNIT_10_XSD),
    surefire: xmllintValidate(extractTestsuite(xmlFile), SUREFIRE_XSD),
  };
}
