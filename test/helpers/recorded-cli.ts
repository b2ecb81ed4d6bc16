import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real agent CLIs' recorded output (test/fixtures/real-cli/<cli>-<version>/<scenario>.jsonl), as
 * recorded by test/real-cli/record/*.ts against the fake model APIs.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/real-cli/', import.meta.url));

export interface Recording {
  scenario: string;
  /** stdout, line by line, without the newlines. */
  lines: string[];
  stderr: string;
  exitCode: number | null;
  signal: string | null;
}

export function recordingsOf(cliWithVersion: string): Recording[] {
  const dir = `${FIXTURES}${cliWithVersion}/`;
  const manifest = JSON.parse(readFileSync(`${dir}recording.json`, 'utf8')) as {
    scenarios: Record<string, { exitCode: number | null; signal: string | null }>;
  };
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => {
      const scenario = name.slice(0, -'.jsonl'.length);
      const ended = manifest.scenarios[scenario];
      if (ended === undefined) throw new Error(`${dir}recording.json has no entry for ${scenario}`);
      const stderrFile = `${dir}${scenario}.stderr`;
      return {
        scenario,
        lines: readFileSync(`${dir}${name}`, 'utf8')
          .split('\n')
          .filter((line) => line.length > 0),
        stderr: existsSync(stderrFile) ? readFileSync(stderrFile, 'utf8') : '',
        exitCode: ended.exitCode,
        signal: ended.signal,
      };
    })
    .sort((a, b) => (a.scenario < b.scenario ? -1 : 1));
}

export function recording(cliWithVersion: string, scenario: string): Recording {
  const found = recordingsOf(cliWithVersion).find((r) => r.scenario === scenario);
  if (found === undefined) throw new Error(`no recording of ${scenario} for ${cliWithVersion}`);
  return found;
}

/** A line's kind: its type, and its subtype where it has one ("system/init", "assistant", "result/success"). */
export function lineKind(line: Record<string, unknown>): string {
  return typeof line.subtype === 'string' ? `${String(line.type)}/${line.subtype}` : String(line.type);
}
