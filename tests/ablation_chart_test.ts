/** The ablation bar chart: no axis line through the group headings; one seed draws the bootstrap interval and says so. */
import { assert, assertEquals } from "./assert.ts";
import { ablationBars } from "../lib/report/charts.ts";
import { renderPlot } from "../lib/report/plot.ts";
import { spreadNote } from "../lib/experiments/charts.ts";

const rows = [
  { group: "Text vs image prompts", variant: "zeroshot", mean: 62.9, std: 0, lo: 58.5, hi: 67.0 },
  { group: "Text vs image prompts", variant: "ppad", mean: 58.3, std: 0, lo: 53.4, hi: 62.8 },
  { group: "Region count (PPAD)", variant: "whole", mean: 64.3, std: 0, lo: 60.2, hi: 68.4 },
];

Deno.test("ablation bars: one seed draws the interval and labels it; the axis line stays beside the bars", () => {
  const { svg } = renderPlot(ablationBars(rows, { metric: "AUROC (%)", subtitle: spreadNote(1, true) }));
  assert(svg.includes("58.3 (53.4–62.8)"), "interval label");
  assert(svg.includes("95 % bootstrap interval"), "subtitle says what the whiskers are");
  assert(!svg.includes("seed(s)"));
  // No vertical rule at all (it would cross the headings); the base line is one tick per bar row.
  const groups = (label: string) =>
    svg.match(new RegExp(`<g[^>]*aria-label="${label}"[^>]*>[\\s\\S]*?</g>`, "g")) ?? [];
  for (const g of groups("rule")) {
    for (const m of g.matchAll(/x2="([^"]+)" x1="([^"]+)"/g)) assert(m[1] !== m[2], "a vertical rule");
  }
  const base = groups("tick").at(-1) ?? "";
  assertEquals((base.match(/<line/g) ?? []).length, rows.length, "one base tick per bar");
  assertEquals(spreadNote(3, true), "mean ± std over 3 seeds");
});
