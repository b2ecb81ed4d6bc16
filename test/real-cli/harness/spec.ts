/** What runInNamespace hands to the namespaced child, as a JSON file. */
export interface ChildSpec {
  /** Everything of the run lives here: homes/, history.db, reports, requests.jsonl. */
  workDir: string;
  /** Fake APIs to start, by module name under fake-api/ (e.g. ["anthropic"]). */
  apis: string[];
  /** Multiplies every scripted duration of the fake APIs. */
  timeScale: number;
  /** Arguments to bin/cc-stress, e.g. ["run", "suite.yaml", "--out", "reports"]. */
  args: string[];
  /** Extra environment for cc-stress and so for every task it starts. */
  env: Record<string, string>;
  /** cc-stress's working folder (relative --out and suite paths); default workDir. */
  cwd?: string;
}

export function childFiles(workDir: string) {
  return {
    spec: `${workDir}/harness-spec.json`,
    /** Written once the fake APIs listen and cc-stress is spawned: { harnessPid, runnerPid, url }. */
    ready: `${workDir}/harness-ready.json`,
    /** One JSON line per request the fake APIs saw. */
    requests: `${workDir}/requests.jsonl`,
  };
}
