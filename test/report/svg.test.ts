// The SVG helpers: markup from data, with every value escaped.
import { describe, expect, it } from "vitest";
import { attrs, chart, esc, heatCell, linePath, text, ticks } from "../../src/report/svg.js";

describe("svg helpers", () => {
  it("escape the five HTML-special characters in content and attributes", () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    expect(text(1, 2, "</text><script>", { "data-x": `"><b>` })).toBe(
      '<text x="1" y="2" data-x="&quot;&gt;&lt;b&gt;">&lt;/text&gt;&lt;script&gt;</text>',
    );
  });

  it("round coordinates but keep data values, and leave out empty attributes", () => {
    expect(attrs({ x: 1.2345, "data-value": 0.6667, hidden: false, gone: null, open: true })).toBe(
      ' x="1.2" data-value="0.6667" open',
    );
  });

  it("label a chart for assistive technology", () => {
    const svg = chart({ id: "c", chart: "demo", title: "A <title>", desc: "Desc", width: 10, height: 5 }, "");
    expect(svg).toContain('role="img" aria-labelledby="c-title c-desc" data-chart="demo"');
    expect(svg).toContain('<title id="c-title">A &lt;title&gt;</title><desc id="c-desc">Desc</desc>');
  });

  it("break a line where a value is missing", () => {
    expect(
      linePath([
        { x: 0, y: 1 },
        { x: 1, y: 2 },
        { x: 2, y: null },
        { x: 3, y: 4 },
      ]),
    ).toContain('d="M0 1L1 2M3 4"');
    expect(linePath([{ x: 0, y: null }])).toBe("");
  });

  it("draw an empty heat cell apart from a hot one, with its count as text", () => {
    expect(heatCell({ x: 0, y: 0, width: 10, height: 10, intensity: 0, label: "0" })).toContain('class="cell empty"');
    const hot = heatCell({ x: 0, y: 0, width: 10, height: 10, intensity: 1, label: "7" });
    expect(hot).toContain('class="cell hot" fill-opacity="1"');
    expect(hot).toContain(">7</text>");
  });

  it.each([
    [0, [0]],
    [9, [0, 2.5, 5, 7.5, 10]],
    [400, [0, 100, 200, 300, 400]],
    [1, [0, 0.25, 0.5, 0.75, 1]],
  ])("ticks up to %s", (max, expected) => {
    expect(ticks(max)).toEqual(expected);
  });
});
