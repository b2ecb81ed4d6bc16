/** The fake agent's own help; the real CLIs' flags it accepts are listed so a suite can swap one for the other. */
export const FAKE_AGENT_USAGE = `Usage: cc-stress-fake-agent [-p] PROMPT [--output-format text|json|stream-json] [--verbose] [--fake-* ...]

A simulated agent CLI. By default it behaves like \`claude -p PROMPT --output-format ... --verbose\`;
--fake-format codex imitates \`codex exec --json PROMPT\`, --fake-format gemini \`gemini -p PROMPT -o stream-json\`.

Timing (durations take ms, s, m; same --fake-seed, same session):
  --fake-duration D        total session time, the median of a log-normal jitter (default 2s)
  --fake-jitter SIGMA      log-normal sigma of the total (default 0.2; 0 = exact)
  --fake-seed N            seed of every random choice (default: random)
  --fake-turns N           model turns; every turn but the last calls one tool (default 3)
  --fake-think D           a silent thinking phase before a turn (default 0)
  --fake-think-count N     how many thinking phases, spread over the turns (default 1 when --fake-think is set)
  --fake-output-bytes N    bytes of assistant text over the whole session (default 2000)
  --fake-tool-duration D   one long shell tool, silent between task_started and task_notification
  --fake-retries N         API retries before giving up in rate-limit/overloaded (default 3)
  --fake-result TEXT       the final answer, at the end of the last turn (default DONE)
  --fake-transcript DIR    append to DIR/<session_id>.jsonl, also while silent
  --fake-busy              burn CPU while silent
  --fake-plan              print the planned timeline as JSON and exit

Failures (--fake-fail MODE, repeatable or comma-separated):
  hang                     print init, then nothing, forever
  hang-after:N             play N events, then nothing, forever
  crash[:segv|abort|exit]  die mid-line half-way through (SIGSEGV, SIGABRT, or exit 139), no result
  exit:N                   a result with is_error true, then exit N
  rate-limit | overloaded  api_retry lines with 429 | 529, then an error result and exit 1
  max-turns                end with subtype error_max_turns, exit 1
  busy-hang                print init, then spin the CPU forever
  output-loop              print init, then assistant lines forever
  ignore-sigterm           keep going after SIGTERM
  grandchild               start a grandchild in the same process group that ignores SIGTERM

Signals: SIGTERM exits 143 and SIGINT exits 0, both without a result line.
--fake-* flags may also be given in FAKE_AGENT_OPTS (space-separated); the command line wins.
`;
