import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { element, escapeAttribute, escapeText } from '../../src/report/xml.js';
import { anyText } from './fixtures.js';

function parsedAttribute(xml: string): string {
  let value = '';
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    value = String(tag.attributes.v);
  });
  parser.write(xml).close();
  return value;
}

describe('xml escaping', () => {
  it('escapes markup and keeps line breaks in attributes as character references', () => {
    expect(escapeText('<a> & ]]>')).toBe('&lt;a&gt; &amp; ]]&gt;');
    expect(escapeAttribute('"x"\n\'y\'\r\t')).toBe('&quot;x&quot;&#10;&apos;y&apos;&#13;&#9;');
  });

  it('drops what XML 1.0 cannot hold: controls, lone surrogates, U+FFFE/U+FFFF', () => {
    expect(escapeText('a\u0000b\u001bc\uD800d\uDC00e\uFFFEf\uFFFF🙂')).toBe('abcdef🙂');
  });

  it('reads back exactly for any text that XML can hold', () => {
    const legal = anyText(60).map((s) =>
      s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''),
    );
    fc.assert(
      fc.property(legal, (text) => {
        expect(parsedAttribute(`<e v="${escapeAttribute(text)}"/>`)).toBe(text);
        expect(element('e', { v: text })).toBe(`<e v="${escapeAttribute(text)}"/>`);
      }),
      { numRuns: 300 },
    );
  });
});
