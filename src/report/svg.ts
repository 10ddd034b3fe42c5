// Small pure SVG helpers for the pipeline report: data in, markup out, no DOM, so the same
// code draws the charts in Node (the HTML file) and in the browser (the MCP App view).
// Everything that goes into markup passes through esc(): stored deal text is untrusted.
// Accessibility: each chart is role="img" with a <title> and <desc>, and every number is also
// drawn as a text label (screen readers and tests read the labels, not the geometry).

export type Attrs = Record<string, string | number | boolean | null | undefined>;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(v: unknown): string {
  return String(v ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Attributes with escaped values; null, undefined and false are left out. */
export function attrs(a: Attrs = {}): string {
  return Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${esc(typeof v === "number" && GEOMETRY.has(k) ? num(v) : v)}"`))
    .join("");
}

/** Coordinates are rounded to 0.1 so the markup stays short; data attributes keep their value. */
const GEOMETRY = new Set(["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "width", "height", "dx", "dy"]);
const num = (v: number) => String(Math.round(v * 10) / 10);

export const el = (tag: string, a: Attrs, children = ""): string => `<${tag}${attrs(a)}>${children}</${tag}>`;
export const rect = (x: number, y: number, width: number, height: number, a: Attrs = {}) =>
  `<rect${attrs({ x, y, width: Math.max(0, width), height: Math.max(0, height), ...a })}/>`;
export const line = (x1: number, y1: number, x2: number, y2: number, a: Attrs = {}) =>
  `<line${attrs({ x1, y1, x2, y2, ...a })}/>`;
export const circle = (cx: number, cy: number, r: number, a: Attrs = {}) => `<circle${attrs({ cx, cy, r, ...a })}/>`;
/** A text label; `content` is escaped. */
export const text = (x: number, y: number, content: string, a: Attrs = {}) => el("text", { x, y, ...a }, esc(content));
/** A tooltip for the enclosing shape (shown on hover, read by assistive technology). */
export const tip = (content: string) => `<title>${esc(content)}</title>`;

/** A whole chart: role="img", labelled by its title and described by its desc. */
export function chart(
  o: { id: string; chart: string; title: string; desc: string; width: number; height: number },
  body: string,
): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ viewBox: `0 0 ${o.width} ${o.height}`, width: o.width, height: o.height, role: "img", "aria-labelledby": `${o.id}-title ${o.id}-desc`, "data-chart": o.chart, class: "chart" })}>` +
    `<title id="${esc(o.id)}-title">${esc(o.title)}</title><desc id="${esc(o.id)}-desc">${esc(o.desc)}</desc>${body}</svg>`
  );
}

/** A horizontal bar from x0 with a value label after its end. */
export function hbar(o: {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  labelAttrs?: Attrs;
  barAttrs?: Attrs;
  tooltip?: string;
}): string {
  const bar = `<rect${attrs({ x: o.x, y: o.y, width: Math.max(0, o.width), height: o.height, class: "bar", ...o.barAttrs })}>${o.tooltip ? tip(o.tooltip) : ""}</rect>`;
  return (
    bar +
    text(o.x + Math.max(0, o.width) + 6, o.y + o.height / 2, o.label, {
      class: "value",
      "dominant-baseline": "central",
      ...o.labelAttrs,
    })
  );
}

/** A band (a target range) with a marker (the observed value) on one row. */
export function rangeMarker(o: {
  y: number;
  height: number;
  x0: number;
  x1: number;
  at: number | null;
  bandAttrs?: Attrs;
  markerAttrs?: Attrs;
  tooltip?: string;
}): string {
  const band = rect(o.x0, o.y, o.x1 - o.x0, o.height, { class: "band", ...o.bandAttrs });
  if (o.at === null) return band;
  const mid = o.y + o.height / 2;
  return (
    band +
    `<g${attrs({ class: "marker", ...o.markerAttrs })}>${o.tooltip ? tip(o.tooltip) : ""}${line(o.at, o.y - 5, o.at, o.y + o.height + 5, { class: "marker-line" })}${circle(o.at, mid, 5, { class: "marker-dot" })}</g>`
  );
}

/** One heat-map cell: fill strength from `intensity` (0..1) and the count as its label. */
export function heatCell(o: {
  x: number;
  y: number;
  width: number;
  height: number;
  intensity: number;
  label: string;
  cellAttrs?: Attrs;
  labelAttrs?: Attrs;
  tooltip?: string;
}): string {
  const strong = o.intensity >= 0.55;
  const fill =
    o.intensity > 0
      ? { class: "cell hot", "fill-opacity": Math.round((0.15 + 0.85 * Math.min(1, o.intensity)) * 100) / 100 }
      : { class: "cell empty" };
  return (
    `<rect${attrs({ x: o.x + 1, y: o.y + 1, width: o.width - 2, height: o.height - 2, rx: 3, ...fill, ...o.cellAttrs })}>${o.tooltip ? tip(o.tooltip) : ""}</rect>` +
    text(o.x + o.width / 2, o.y + o.height / 2, o.label, {
      class: `cell-label${strong ? " on-strong" : ""}${o.intensity === 0 ? " zero" : ""}`,
      "text-anchor": "middle",
      "dominant-baseline": "central",
      ...o.labelAttrs,
    })
  );
}

/** A line through the points; a null value breaks the line (a month without data). */
export function linePath(points: Array<{ x: number; y: number | null }>, a: Attrs = {}): string {
  let d = "";
  let pen = false;
  for (const p of points) {
    if (p.y === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${num(p.x)} ${num(p.y)}`;
    pen = true;
  }
  return d ? `<path${attrs({ d, fill: "none", ...a })}/>` : "";
}

/** Evenly spaced "nice" ticks from 0 to at least max. */
export function ticks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}
