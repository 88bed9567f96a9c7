import { assert, assertEquals } from "./assert.ts";
import { curveGrid, renderPlot } from "../lib/report/mod.ts";

/** The `<g>` children of the mark group labelled `mark` in `svg`: one per facet the mark is drawn in. */
function facetGroups(svg: string, mark: string): string[] {
  const start = svg.indexOf(`aria-label="${mark}"`);
  assert(start >= 0, `no ${mark} mark`);
  const end = svg.indexOf('aria-label="', start + 1);
  return [...svg.slice(start, end < 0 ? undefined : end).matchAll(/<g transform="translate\(([\d.]+),([\d.]+)\)"/g)]
    .map((m) => `${m[1]},${m[2]}`);
}

const rows = ["seed-1", "seed-2", "lr-high", "lr-low", "wide-text"].flatMap((run, k) =>
  [100, 200, 300].map((step) => ({ step, loss: 70 + k + step / 100, run }))
);

Deno.test("curveGrid: one panel per run outside the band, the band drawn in every panel and nowhere else", () => {
  const svg = renderPlot(curveGrid(rows, {
    label: "AUROC (%)",
    band: { runs: ["seed-1", "seed-2"], label: "two seeds" },
    columns: 2,
  })).svg;
  const titles = [...svg.matchAll(/font-weight="bold"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assertEquals(titles.sort(), ["lr-high", "lr-low", "wide-text"], "one titled panel per candidate, none per seed");
  const panels = facetGroups(svg, "line");
  assertEquals(panels.length, 3, "one line per panel");
  assertEquals(new Set(panels).size, 3, "each line in its own panel");
  // Three panels in two columns: the band is in the three panels, not in the empty fourth cell.
  assertEquals(facetGroups(svg, "area").sort(), [...panels].sort());
  assert(svg.includes("two seeds"), "the band's label is in the subtitle");
});

Deno.test("curveGrid: panel titles from panelTitle; one band run alone is a grey line in every panel", () => {
  const svg = renderPlot(curveGrid(rows.filter((r) => r.run !== "seed-2"), {
    label: "AUROC (%)",
    band: { runs: ["seed-1", "seed-2"], label: "two seeds" },
    panelTitle: (run) => run.toUpperCase(),
  })).svg;
  assert(svg.includes(">LR-HIGH<") && svg.includes(">WIDE-TEXT<"), "titles come from panelTitle");
  assert(!svg.includes('fill="#888"'), "one seed alone is no range");
  assertEquals(svg.split('aria-label="line"').length - 1, 2, "two line marks: the grey baseline and the runs");
  assertEquals(facetGroups(svg, "line").length, 3, "the grey line (the first line mark) in each of the three panels");
  assert(svg.includes('stroke="#888"') && svg.includes("grey line in each: two seeds"), "the grey line, named");
  assert(!svg.includes("SEED-1"), "a band run never gets a panel of its own");
  const noted = renderPlot(curveGrid(rows, {
    label: "AUROC (%)",
    band: { runs: ["seed-1", "seed-2"], label: "two seeds" },
    panelNote: (run) => `note of ${run}`,
  })).svg;
  for (const run of ["lr-high", "lr-low", "wide-text"]) assert(noted.includes(`>note of ${run}<`), `${run}'s note`);
});
