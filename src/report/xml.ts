import { stripAnsi } from './format.js';

/**
 * Characters XML 1.0 does not allow anywhere, not even escaped: C0 controls other than tab, newline and
 * carriage return, lone surrogates (matched one by one thanks to the `u` flag), U+FFFE and U+FFFF.
 */
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text as a task produced it, made safe to embed: colour codes and illegal characters removed. */
export function xmlSafe(text: string): string {
  return stripAnsi(text).replace(ILLEGAL_XML, '');
}

export function escapeText(text: string): string {
  return (
    xmlSafe(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      // `]]>` is not allowed in character data; escaping every `>` covers it.
      .replace(/>/g, '&gt;')
  );
}

/** Attribute values keep their line breaks and tabs only as character references (otherwise normalised). */
export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

export type Attributes = Record<string, string | number | undefined>;

export function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeAttribute(String(value))}"`)
    .join('');
}

/** An element with escaped text content, or self-closing when there is none. */
export function element(name: string, attrs: Attributes, text?: string): string {
  if (text === undefined || text === '') return `<${name}${attributes(attrs)}/>`;
  return `<${name}${attributes(attrs)}>${escapeText(text)}</${name}>`;
}
