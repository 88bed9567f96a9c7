/**
 * Reading a sweep's diagnostics for a report: one row per trained configuration (mean over seeds of each stored
 * measurement), and sentences that say what the measurements show. Every number comes from the run records.
 * @module
 */
import type { RunRecord } from "./store.ts";

/** The configuration label of a run: variant, regions, synthesis and (when not the paper's) sides. */
export function configLabel(r: RunRecord): string {
  const s = r.spec;
  return [s.variant, s.regions, s.synthesis, ...(s.sides && s.sides !== "image" ? [`${s.sides} sides`] : [])].join(
    " · ",
  );
}

/** Mean over seeds of one diagnostic per configuration. */
export interface DiagnosticsRow {
  config: string;
  variant: string;
  seeds: number;
  /** AUROC of the image score on the test set (%, for reference). */
  testAuroc: number;
  /** Every stored diagnostic (mean over seeds), e.g. `synthetic_auroc`, `region_auroc:left`. */
  values: Record<string, number>;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A fraction as a percentage: one decimal, or three when it is below 1 % (prompt shifts can be 0.05 %). */
export function percent(v: number): string {
  return Math.abs(v) < 0.01 && v !== 0 ? (100 * v).toFixed(3) : (100 * v).toFixed(1);
}

/** One row per configuration with diagnostics (scoring `paper` runs, so aggregation variants are not repeated). */
export function diagnosticsByConfig(records: readonly RunRecord[]): DiagnosticsRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    if (!r.diagnostics || r.spec.scoring !== "paper") continue;
    const key = configLabel(r);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups].map(([config, runs]) => {
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.diagnostics!)))];
    const values: Record<string, number> = {};
    for (const k of keys) {
      const vals = runs.map((r) => r.diagnostics![k]).filter((v) => v !== undefined && Number.isFinite(v));
      if (vals.length) values[k] = mean(vals);
    }
    return {
      config,
      variant: runs[0].spec.variant,
      seeds: runs.length,
      testAuroc: 100 * mean(runs.map((r) => r.metrics.auroc)),
      values,
    };
  });
}

/** A display table: one row per configuration, the main diagnostics as columns (%, or a plain number for BCE/scale). */
export function diagnosticsTableRows(rows: readonly DiagnosticsRow[]): Record<string, string | number>[] {
  const pct = (v: number | undefined) => (v === undefined ? "–" : percent(v));
  return rows.map((r) => {
    const regions = Object.entries(r.values).filter(([k]) => k.startsWith("region_auroc:"));
    return {
      configuration: r.config,
      seeds: r.seeds,
      "test AUROC": r.testAuroc.toFixed(1),
      "synthetic AUROC": pct(r.values.synthetic_auroc),
      "synthetic BCE": r.values.synthetic_bce === undefined ? "–" : r.values.synthetic_bce.toFixed(3),
      "context shift (%)": pct(r.values.context_shift),
      "image prompt shift (%)": pct(r.values.image_prompt_shift),
      "0.8 rule fired (%)": pct(r.values.rule_fired),
      "region AUROCs": regions.map(([k, v]) => `${k.slice("region_auroc:".length)} ${(100 * v).toFixed(1)}`).join(
        ", ",
      ),
    };
  });
}

/**
 * Sentences reading the diagnostics: whether the prompts learned the synthetic anomalies, how far each prompt set
 * moved, the best and worst region branch against the aggregated score, and how often the 0.8 rule fired.
 */
export function diagnosticsDiscussion(rows: readonly DiagnosticsRow[]): string[] {
  const out: string[] = [];
  const ppad = rows.find((r) => r.config.startsWith("ppad · ppad5 · sas") && !r.config.includes("patient"));
  const coop = rows.find((r) => r.variant === "coop");
  const f = percent;
  if (ppad?.values.synthetic_auroc !== undefined) {
    const s = ppad.values.synthetic_auroc, bce = ppad.values.synthetic_bce;
    out.push(
      `PPAD's trained prompts score fresh SAS anomalies of their own training shots at AUROC ${f(s)}` +
        (coop?.values.synthetic_auroc !== undefined ? ` (CoOp ${f(coop.values.synthetic_auroc)})` : "") +
        (bce !== undefined ? `, BCE ${bce.toFixed(3)} (${bce < Math.LN2 ? "below" : "not below"} ln 2 = 0.693)` : "") +
        (s >= 0.7
          ? ": the prompts did learn the synthetic lesions."
          : s > 0.55
          ? ": they learned the synthetic lesions only weakly."
          : ": they did not learn to separate the synthetic lesions."),
    );
  }
  if (ppad?.values.context_shift !== undefined && ppad.values.image_prompt_shift !== undefined) {
    out.push(
      `Relative to their initial values, PPAD's text context moved ${f(ppad.values.context_shift)} % and its image ` +
        `prompts ${f(ppad.values.image_prompt_shift)} %.`,
    );
  }
  for (const r of rows) {
    const regions = Object.entries(r.values).filter(([k]) => k.startsWith("region_auroc:"));
    if (regions.length < 2 || (r !== ppad && r.variant !== "text-only")) continue;
    const sorted = [...regions].sort((a, b) => b[1] - a[1]);
    const [best, worst] = [sorted[0], sorted.at(-1)!];
    const name = (k: string) => k.slice("region_auroc:".length);
    out.push(
      `${r.config}: the best single region branch is ${name(best[0])} (AUROC ${f(best[1])}), the worst ` +
        `${name(worst[0])} (${f(worst[1])}); the aggregated image score reaches ${r.testAuroc.toFixed(1)}` +
        (100 * best[1] > r.testAuroc + 1
          ? `, ${(100 * best[1] - r.testAuroc).toFixed(1)} points below its best branch.`
          : "."),
    );
  }
  if (ppad?.values.rule_fired !== undefined) {
    out.push(
      `The paper's rule (max if above 0.8, else mean) took the maximum on ${f(ppad.values.rule_fired)} % of test ` +
        "images for PPAD" +
        (ppad.values.rule_fired === 0 ? ": it never fired, so the paper scoring equals the mean." : "."),
    );
  }
  return out;
}
