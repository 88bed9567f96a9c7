/**
 * End to end on real chest X-rays: a small subset of the paper's ZhangLab benchmark from ../shared/data (skipped, saying
 * why, where a clone has no ../shared).
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { SHARED_DATA_DIR, sharedTest } from "../testing/shared.ts";

const ZHANGLAB = join(SHARED_DATA_DIR, "zhanglab-224");

sharedTest({ needs: [ZHANGLAB], why: "a real data set (ZhangLab chest X-rays)" }, {
  name: "real data: ablate on a ZhangLab subset (16 normal shots, 40 test images) trains, scores and diagnoses",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await Deno.makeTempDir();
    try {
      const res = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(PROJECT_ROOT, "cli/ablate.ts"),
          "--data",
          ZHANGLAB,
          "--variants",
          "zeroshot,coop,ppad",
          "--questions",
          "prompts",
          "--shots",
          "16",
          "--steps",
          "2",
          "--test-limit",
          "40",
          "--no-charts",
          "--json",
          "--out",
          out,
        ],
        stdout: "piped",
        stderr: "piped",
        env: { PPAD_QUIET: "1" },
      }).output();
      const stderr = new TextDecoder().decode(res.stderr);
      assertEquals(res.code, 0, stderr);
      const report = JSON.parse(new TextDecoder().decode(res.stdout));
      assertEquals(report.runs.map((r: { variant: string }) => r.variant).sort(), ["coop", "ppad", "zeroshot"]);
      for (const r of report.runs) {
        assert(r.metrics.auroc >= 0 && r.metrics.auroc <= 1, `${r.variant}: AUROC ${r.metrics.auroc}`);
        assertEquals(r.dataset, "zhanglab", "the Kaggle layout names its data set without --dataset");
        assertEquals(r.testLimit, 40);
      }
      // The Kaggle layout was detected and the stratified subsample keeps the class ratio (234:390 → 15:25).
      const scores = await Deno.readTextFile(join(out, "scores", `${report.runs[0].id}.csv`));
      const rows = scores.trim().split("\n").slice(1);
      assertEquals(rows.length, 40);
      assertEquals(rows.filter((l) => l.split(",")[1] === "1").length, 25);
      assert(rows.every((l) => l.startsWith("test/")), rows[0]);
      // Trained runs carry diagnostics: synthetic probe, prompt shifts, one AUROC per region for PPAD.
      const diag = await Deno.readTextFile(join(out, "diagnostics.csv"));
      const ppadRows = diag.split("\n").filter((l) => l.includes(",ppad,"));
      for (const m of ["synthetic_auroc", "context_shift", "image_prompt_shift", "rule_fired", "region_auroc:left"]) {
        assert(ppadRows.some((l) => l.includes(`,${m},`)), `no ${m} for ppad in diagnostics.csv`);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
