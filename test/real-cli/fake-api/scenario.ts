/**
 * The scenario a request follows is named in the prompt, which every CLI sends on to the model API:
 * `scenario:dead-stream` anywhere in the request body. Requests without a marker (titles, summaries, probes)
 * get the API's normal answer.
 */
const MARKER = /\bscenario:([a-z0-9][a-z0-9-]*)/;

export function scenarioIn(text: string): string | undefined {
  return MARKER.exec(text)?.[1];
}

/** The scenarios the OpenAI and Gemini fakes both script (Anthropic's has its own: 529 storms, dropped-silent). */
export const OPENAI_GEMINI_SCENARIOS = [
  'normal',
  'long-think',
  'pings-only',
  'long-tool',
  'storm-429',
  'storm-503',
  'bad-request',
  'server-error',
  'dead-stream',
  'dropped',
  'trickle',
] as const;
