// Where each piece of the methodology comes from. In data/, an object may carry
// `"source": "reference"` (the Lean Sales reference, in our words unless quoted) or
// `"source": "default"` with a one-line `"rationale"` (a rule or number of this server's own);
// everything inside it inherits the label unless a nested object says otherwise. Inside a
// reference block, `"defaults": {"<relative path>": "<rationale>"}` marks the few properties that
// are this server's own (`[]` stands for every item of an array), e.g. the question that settles
// each exit criterion.
// Labels are worked out at load time against the shipped files: a labelled block whose content
// differs from the shipped one reads as the team's, whatever its `source` says.

export type Source = "reference" | "default" | "team";

export interface Provenance {
  source: Source;
  /** Why this server chose a default (or what the team wrote); absent for the reference. */
  rationale?: string;
}

/** A labelled block in a parsed data file: its path (e.g. "segmentation.tier_thresholds") and label. */
interface Labelled {
  path: string;
  source: "reference" | "default";
  rationale?: string;
  value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether an object carries a label (its `source` is "reference" or "default"). */
const isLabelled = (v: Record<string, unknown>) => v.source === "reference" || v.source === "default";
const isLabelKey = (k: string) => k === "source" || k === "rationale" || k === "defaults";
/** The label keys of a labelled object; data may use the same names for other things ("source" of a deal). */
const labelKey = (obj: Record<string, unknown>, k: string) => isLabelled(obj) && isLabelKey(k);
const entries = (obj: Record<string, unknown>) => Object.entries(obj).filter(([k]) => !labelKey(obj, k));

/** Path of a child: "a.b" for keys, "a[2]" for array items. */
export const childPath = (parent: string, key: string | number) =>
  typeof key === "number" ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/** Every labelled object in a raw (unparsed) data file, keyed by path. */
export function collectLabels(root: string, raw: unknown): Map<string, Labelled> {
  const out = new Map<string, Labelled>();
  // The path of the node being visited, as keys: written out only where a label is found (a
  // string per node, for every node of every file, cost more than the rest of the walk).
  const keys: Array<string | number> = [];
  const pathHere = () => keys.reduce<string>((p, k) => childPath(p, k), root);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        walk(v[i]);
        keys.pop();
      }
      return;
    }
    if (!isObject(v)) return;
    const labelled = isLabelled(v);
    let path: string | undefined;
    if (labelled) {
      path = pathHere();
      out.set(path, {
        path,
        source: v.source as Labelled["source"],
        ...(typeof v.rationale === "string" ? { rationale: v.rationale } : {}),
        value: v,
      });
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k) || (labelled && isLabelKey(k))) continue;
      keys.push(k);
      walk(v[k]);
      keys.pop();
    }
    if (labelled && isObject(v.defaults)) {
      for (const [rel, rationale] of Object.entries(v.defaults)) {
        for (const [p, value] of expand(v, path!, rel))
          out.set(p, { path: p, source: "default", rationale: String(rationale), value });
      }
    }
  };
  walk(raw);
  return out;
}

/** The concrete paths (and values) a relative pattern such as "items[].question" names under an object. */
function expand(obj: unknown, base: string, rel: string): Array<[string, unknown]> {
  const steps = rel.split(".").flatMap((part) => (part.endsWith("[]") ? [part.slice(0, -2), "[]"] : [part]));
  let at: Array<[string, unknown]> = [[base, obj]];
  for (const step of steps) {
    at = at.flatMap(([p, v]) =>
      step === "[]"
        ? Array.isArray(v)
          ? v.map((x, i) => [childPath(p, i), x] as [string, unknown])
          : []
        : isObject(v) && step in v
          ? [[childPath(p, step), v[step]] as [string, unknown]]
          : [],
    );
  }
  return at;
}

/** Leaves (numbers, strings, booleans) with no label of their own or above: data that does not say where it comes from. */
export function unlabelledLeaves(root: string, raw: unknown): string[] {
  const labels = collectLabels(root, raw);
  const out: string[] = [];
  const covered = (path: string) => {
    for (let p = path; ;) {
      if (labels.has(p)) return true;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (cut <= 0) return false;
      p = p.slice(0, cut);
    }
  };
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, childPath(path, i)));
    if (isObject(v)) {
      for (const [k, x] of entries(v)) walk(x, childPath(path, k));
      return;
    }
    if (v !== null && !covered(path)) out.push(path);
  };
  walk(raw, root);
  return out;
}

/** Deep equality that ignores the label keys themselves (a team may relabel without changing content). */
export function sameContent(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameContent(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = entries(a).map(([k]) => k);
    const kb = entries(b).map(([k]) => k);
    return ka.length === kb.length && ka.every((k) => k in b && sameContent(a[k], b[k]));
  }
  return a === b;
}

/** The value at a path such as "segmentation.matrix[0].label" in a tree keyed by file. */
export function valueAt(tree: unknown, path: string): unknown {
  let v = tree;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(v)) v = v[Number(part)];
    else if (isObject(v)) v = v[part];
    else return undefined;
  }
  return v;
}

/**
 * Where the data at any path comes from: the label of its nearest labelled block in the shipped
 * files when the value there is the shipped one, else the team's. So a team that changes one
 * matrix row changes the label of that row only.
 */
export class Provenances {
  private readonly cache = new Map<string, Provenance>();
  constructor(
    private readonly active: { tree: Record<string, unknown>; labels: Map<string, Labelled> },
    private readonly shipped: { tree: Record<string, unknown>; labels: Map<string, Labelled> },
  ) {}

  at(path: string): Provenance {
    let hit = this.cache.get(path);
    if (!hit) this.cache.set(path, (hit = this.compute(path)));
    return hit;
  }

  private compute(path: string): Provenance {
    const own = nearest(this.active.labels, path);
    if (!sameContent(valueAt(this.active.tree, path), valueAt(this.shipped.tree, path))) {
      return {
        source: "team",
        ...(own && own.source !== nearest(this.shipped.labels, path)?.source && own.rationale
          ? { rationale: own.rationale }
          : {}),
      };
    }
    const l = nearest(this.shipped.labels, path);
    return l ? { source: l.source, ...(l.rationale ? { rationale: l.rationale } : {}) } : { source: "team" };
  }

  /** The label a path has in the shipped files (its nearest labelled block there), whatever the active files say. */
  shippedSource(path: string): Source {
    return nearest(this.shipped.labels, path)?.source ?? "team";
  }

  /** Every labelled block of the active files, with its provenance. */
  all(): Map<string, Provenance> {
    return new Map([...this.active.labels.keys()].map((p) => [p, this.at(p)]));
  }

  /** Paths of leaves whose value differs from the shipped files (what `methodology check` prints). */
  changes(): string[] {
    const out: string[] = [];
    const walk = (a: unknown, b: unknown, path: string) => {
      if (sameContent(a, b)) return;
      if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
        return a.forEach((x, i) => walk(x, b[i], childPath(path, i)));
      if (isObject(a) && isObject(b)) {
        for (const k of new Set([...entries(a).map(([k]) => k), ...entries(b).map(([k]) => k)]))
          walk(a[k], b[k], childPath(path, k));
        return;
      }
      out.push(path);
    };
    for (const file of Object.keys(this.active.tree)) walk(this.active.tree[file], this.shipped.tree[file], file);
    return out;
  }
}

function nearest(labels: Map<string, Labelled>, path: string): Labelled | undefined {
  for (let p = path; ;) {
    const hit = labels.get(p);
    if (hit) return hit;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) return undefined;
    p = p.slice(0, cut);
  }
}

/** How an answer names a source: "the reference", "this server's default", "your team's methodology". */
export function sourceName(p: Provenance): string {
  return p.source === "reference"
    ? "the reference"
    : p.source === "default"
      ? "this server's default"
      : "your team's methodology";
}

/**
 * zod parse options for a file read once at start-up (data/, prompts/, presets): interpreted,
 * without compiling a parser that would run a single time (zod's JIT stays on for tool calls).
 */
export const PARSE_ONCE = { jitless: true } as const;

/** The data without its labels, for the schemas (which may be strict) to check. */
export function withoutLabels(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutLabels);
  if (!isObject(v)) return v;
  const labelled = isLabelled(v);
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.hasOwn(v, k) || (labelled && isLabelKey(k))) continue;
    // As Object.fromEntries would: an own "__proto__" key stays a key.
    if (k === "__proto__")
      Object.defineProperty(out, k, {
        value: withoutLabels(v[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = withoutLabels(v[k]);
  }
  return out;
}
