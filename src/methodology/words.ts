// Word matching for described work: a text becomes stems (Porter2, wink-porter2-stemmer), so
// "handoffs", "handed off" and "handoff" meet, and a signal phrase matches when its stems occur
// in order with at most MAX_GAP other words between them ("approval from my manager" matches
// "approval manager"). Deterministic: the same text and phrases always give the same matches.
import stem from "wink-porter2-stemmer";

/** Words between two words of a phrase that still count as the phrase. */
export const MAX_GAP = 2;

// Words so common they carry nothing; negations ("no", "not", "never", "nobody") are kept.
export const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "and",
  "or",
  "of",
  "to",
  "in",
  "on",
  "at",
  "by",
  "is",
  "are",
  "was",
  "were",
  "be",
  "been",
  "it",
  "its",
  "this",
  "that",
  "these",
  "those",
]);
// Spelled-out numbers read as numbers too ("nine emails" is "# emails").
const NUMBER_WORDS = new Set([
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "fifteen",
  "twenty",
  "thirty",
  "forty",
  "fifty",
  "hundred",
  "hundreds",
  "dozen",
  "dozens",
]);

const cache = new Map<string, string>();
function stemOf(word: string): string {
  let s = cache.get(word);
  if (s === undefined) {
    s = stem(word);
    if (cache.size < 50_000) cache.set(word, s);
  }
  return s;
}

// A split word's stem, or null for a word that is dropped (a stop word, or nothing left of it).
const tokens = new Map<string, string | null>();
function tokenStem(raw: string): string | null {
  let s = tokens.get(raw);
  if (s === undefined) {
    const w = raw.replace(/^['#]+(?=[a-z])|'+$/g, "").replace(/'s$/, "");
    // Numbers (and "#" in a phrase) all read as "#"; "40%" and "2x" count as numbers too. A word
    // is stemmed without its apostrophes and without a % its digits kept ("p95%" reads as "p95").
    s =
      !w || STOP_WORDS.has(w)
        ? null
        : /^[#\d][\dx%]*$/.test(w) || NUMBER_WORDS.has(w)
          ? "#"
          : stemOf(w.replace(/['%]/g, ""));
    if (tokens.size < 50_000) tokens.set(raw, s);
  }
  return s;
}

/**
 * A text's words as stems() reads them: lower case, split on anything but letters, digits, ' and
 * #. A % right after a digit stays in its word, to be shown as written ("40%" reads as "#", as
 * "40" does; "p95%" as "p95"); any other % splits words, as before.
 */
const rawWords = (text: string) =>
  text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .split(/(?<!\d)%|%(?=[a-z0-9'#])|[^a-z0-9'#%]+/);

/** The stems of a text, in order: lower case, split on anything but letters and digits, stop words dropped. */
export const stems = (text: string): string[] => stemsAndWords(text).stems;

/** The stems of a text (as stems() gives them) and, at the same places, the words they came from. */
export function stemsAndWords(text: string): { stems: string[]; words: string[] } {
  const out: string[] = [];
  const words: string[] = [];
  const raws = rawWords(text);
  for (let i = 0; i < raws.length; i++) {
    const s = tokenStem(raws[i]!);
    if (s !== null) {
      out.push(s);
      words.push(raws[i]!);
    }
  }
  return { stems: out, words };
}

export interface CompiledPhrase {
  text: string;
  stems: string[];
}

export function compilePhrase(text: string): CompiledPhrase {
  return { text, stems: stems(text) };
}

/** Whether the phrase's stems occur in order in the text's, with at most MAX_GAP words between. */
export function matchesPhrase(text: readonly string[], phrase: CompiledPhrase): boolean {
  return matchAt(text, phrase) >= 0;
}

/** Where the phrase first matches (the index of its first word), or -1. */
export function matchAt(text: readonly string[], phrase: CompiledPhrase): number {
  const p = phrase.stems;
  if (p.length === 0) return -1;
  for (let start = 0; start < text.length; start++) {
    if (text[start] !== p[0]) continue;
    let at = start;
    let k = 1;
    for (; k < p.length; k++) {
      let found = -1;
      for (let j = at + 1; j <= Math.min(text.length - 1, at + 1 + MAX_GAP); j++) {
        if (text[j] === p[k]) {
          found = j;
          break;
        }
      }
      if (found < 0) break;
      at = found;
    }
    if (k === p.length) return start;
  }
  return -1;
}
