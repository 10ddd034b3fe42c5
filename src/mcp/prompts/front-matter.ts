// A prompt file's front matter in the plain shape every shipped prompt uses, read without the
// YAML library: `key: value` lines, a `>-` folded description, `arguments: []` or a list of
// `- name: ...` items. At start-up the library's parser (its lexer, parser and composer running
// for the first time) cost about 20 ms for the seven files. Anything outside that shape (quotes,
// comments, blank lines, other block styles, a value YAML would read as a number or null,
// a repeated key) is left to the YAML library, so the result is always the one it gives: the
// equivalence is tested against it (test/prompts.test.ts).

const KEY = /^[a-z_][a-z0-9_]*$/;
const TOP = /^([a-z_][a-z0-9_]*):(?: (.*))?$/;
const ITEM_FIRST = /^ {2}- ([a-z_][a-z0-9_]*): (.+)$/;
const ITEM_NEXT = /^ {4}([a-z_][a-z0-9_]*): (.+)$/;
const FOLDED_LINE = /^ {2}(\S(?:[\x20-\x7e]*\S)?)$/;
// A plain scalar YAML reads as a string: printable ASCII starting with a letter, no ": " or " #",
// not ending in ":", and none of the core schema's null and boolean spellings but true and false.
const PLAIN = /^[A-Za-z](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const NOT_A_STRING = /^(?:null|Null|NULL|True|TRUE|False|FALSE|true|false)$/;

/** A key YAML reads as this string, and that makes an ordinary property. */
const plainKey = (k: string) => KEY.test(k) && k !== "__proto__" && !NOT_A_STRING.test(k);

/** A plain scalar's value (a string, or true/false), or undefined when YAML might read it otherwise. */
function scalar(v: string): string | boolean | undefined {
  if (v === "true") return true;
  if (v === "false") return false;
  if (!PLAIN.test(v) || NOT_A_STRING.test(v) || v.includes(": ") || v.includes(" #") || v.endsWith(":"))
    return undefined;
  return v;
}

/**
 * The front matter as YAML would give it (parseDocument(text).toJS()), when it is in the plain
 * shape; undefined otherwise (then parse it with the YAML library).
 */
export function plainFrontMatter(text: string): Record<string, unknown> | undefined {
  const lines = text.split("\n");
  const out: Record<string, unknown> = {};
  let i = 0;
  while (i < lines.length) {
    const top = TOP.exec(lines[i]!);
    if (!top || !plainKey(top[1]!) || Object.hasOwn(out, top[1]!)) return undefined;
    const key = top[1]!;
    const rest = top[2];
    i++;
    if (rest === ">-") {
      const folded: string[] = [];
      for (let m; i < lines.length && (m = FOLDED_LINE.exec(lines[i]!)); i++) folded.push(m[1]!);
      if (!folded.length) return undefined;
      out[key] = folded.join(" ");
    } else if (rest === "[]") {
      out[key] = [];
    } else if (rest === undefined) {
      const items: Array<Record<string, unknown>> = [];
      for (let m; i < lines.length && (m = ITEM_FIRST.exec(lines[i]!)); ) {
        const item: Record<string, unknown> = {};
        for (let k = m[1]!, v = m[2]!; ; ) {
          const value = scalar(v);
          if (value === undefined || !plainKey(k) || Object.hasOwn(item, k)) return undefined;
          item[k] = value;
          const next = ++i < lines.length ? ITEM_NEXT.exec(lines[i]!) : null;
          if (!next) break;
          k = next[1]!;
          v = next[2]!;
        }
        items.push(item);
      }
      if (!items.length) return undefined;
      out[key] = items;
    } else {
      const value = scalar(rest);
      if (value === undefined) return undefined;
      out[key] = value;
    }
  }
  return out;
}
