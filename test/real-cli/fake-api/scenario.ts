/**
 * The scenario a request follows is named in the prompt, which every CLI sends on to the model API:
 * `scenario:dead-stream` anywhere in the request body. Requests without a marker (titles, summaries, probes)
 * get the API's normal answer.
 */
const MARKER = /\bscenario:([a-z0-9][a-z0-9-]*)/;

export function scenarioIn(text: string): string | undefined {
  return MARKER.exec(text)?.[1];
}
