// Warning response headers as kube-apiserver writes them: k8s.io/apiserver's warning
// recorder (filters/warning.go) drops duplicates and keeps the total under 4096 runes, cutting
// every warning to 256 runes once the total would pass it; net.NewWarningHeader quotes the
// text (only `"` and `\` escaped) and Go's net/http turns CR and LF into spaces. Node refuses
// header strings with characters past Latin-1 or control characters, so the UTF-8 bytes
// are written as Latin-1 code units (the same octets Go puts on the wire) and the other
// control characters become spaces as well: any text, an unknown field named with an emoji
// included, yields a sendable header.

const truncateAtTotalRunes = 4 * 1024;
const truncateItemRunes = 256;

function truncateRunes(text: string, runes: number): string {
  const chars = Array.from(text);
  return chars.length > runes ? chars.slice(0, runes).join('') : text;
}

function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** net.NewWarningHeader(299, "-", text), then net/http's header value sanitising, as octets. */
export function warningHeaderValue(text: string): string {
  const quoted = `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  // Lone surrogates are not valid UTF-8: Go would refuse the warning; they become U+FFFD here.
  const octets = Buffer.from(`299 - ${quoted}`, 'utf8').toString('latin1');
  return octets.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ');
}

/** The Warning header values for these warnings, deduplicated and truncated as kube's recorder does. */
export function warningHeaderValues(warnings: string[]): string[] {
  const texts = [...new Set(warnings.filter((w) => w.length > 0))];
  const total = texts.reduce((sum, t) => sum + runeCount(t), 0);
  if (total <= truncateAtTotalRunes) return texts.map(warningHeaderValue);
  const out: string[] = [];
  let written = 0;
  for (const text of texts) {
    const cut = truncateRunes(text, truncateItemRunes);
    // Past the limit even when truncated, kube's recorder stops recording.
    if (written >= truncateAtTotalRunes) break;
    written += runeCount(cut);
    out.push(warningHeaderValue(cut));
  }
  return out;
}
