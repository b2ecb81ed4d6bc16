/**
 * Codex and Gemini report API failures as prose ("exceeded retry limit, last status: 429 Too Many Requests"),
 * so the HTTP status has to be read out of the message.
 */
// Not part of a version, address or path ("1.429.0", "127.0.0.1:500", "/v1/404").
const statusInText = /(?<![\d:/]|\d\.)\b([45]\d\d)\b(?![\d:/]|\.\d)/;

export function statusFromText(text: string): number | null {
  const match = statusInText.exec(text);
  return match?.[1] !== undefined ? Number(match[1]) : null;
}

/** Wording that means "the provider is busy or you are over quota": waiting will help, retrying now will not. */
const retryLaterWording = /rate.?limit|too many requests|overloaded|resource.?exhausted|quota|usage limit/i;

export function textSaysRetryLater(text: string): boolean {
  return retryLaterWording.test(text);
}
