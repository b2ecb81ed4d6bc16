/**
 * How the Codex CLI and Gemini CLI fixtures are recorded: the pinned versions, their command lines and the
 * fakes' timing. The suite in suites/codex-gemini-scenarios.yaml runs the same command lines.
 */

export const CODEX_VERSION = '0.171.0';
export const GEMINI_VERSION = '0.61.0';

/** A model Codex has metadata for; an unknown one adds a warning item to every run. */
export const CODEX_MODEL = 'gpt-5.5';
export const GEMINI_MODEL = 'gemini-2.5-pro';

/**
 * Codex reads its provider from config only: a custom one at the fake, with the key in OPENAI_API_KEY, one
 * retry of a request and two reconnects of a stream (instead of 4 and 5), so a storm ends in seconds.
 */
export const codexProviderFlags = (baseUrl: string): string[] => [
  '-c',
  'model_provider="fake"',
  '-c',
  'model_providers.fake.name="fake"',
  '-c',
  `model_providers.fake.base_url="${baseUrl}"`,
  '-c',
  'model_providers.fake.env_key="OPENAI_API_KEY"',
  '-c',
  'model_providers.fake.wire_api="responses"',
  '-c',
  'model_providers.fake.request_max_retries=1',
  '-c',
  'model_providers.fake.stream_max_retries=2',
];

export const CODEX_COMMAND = (scenario: string, baseUrl: string): string[] => [
  'codex',
  'exec',
  '--json',
  '--skip-git-repo-check',
  '-m',
  CODEX_MODEL,
  ...codexProviderFlags(baseUrl),
  `Reply briefly. scenario:${scenario}`,
];

export const GEMINI_COMMAND = (scenario: string): string[] => [
  'gemini',
  '-p',
  `Reply briefly. scenario:${scenario}`,
  '-o',
  'stream-json',
  '-m',
  GEMINI_MODEL,
  // Headless runs may not ask before a shell command; as root in the namespace, yolo is what allows it.
  '--approval-mode',
  'yolo',
];

export const RECORDING = {
  /** The fakes' timing at 1/20: a 6 s think, a 4.5 s silent tool. */
  timeScale: 0.05,
  /** Dead streams never end by themselves: stopped this long after the CLI's first line. */
  cutOffMs: 20_000,
};
