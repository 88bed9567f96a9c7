/**
 * The default ablation grid on the embedded benchmark (`deno task ablate`). Non-factorial: each question varies one
 * factor around PPAD's paper configuration (ppad5 regions, SAS, paper scoring, 64 shots, 100 steps), so the base run
 * answers every question once and each other cell costs one run.
 * @module
 */
import { PAPER_METHOD, type SweepConfig } from "../lib/experiments/mod.ts";

export const DEFAULT_SWEEP: SweepConfig = {
  name: "default",
  description:
    "Text vs image prompts, region count, synthesis, scoring and sides on the embedded synthetic CXR benchmark",
  base: { ...PAPER_METHOD },
  questions: [
    {
      name: "prompts",
      title: "Text vs image prompts",
      vary: { variant: ["zeroshot", "coop", "text-only", "image-only", "no-position", "ppad"] },
    },
    { name: "regions", title: "Region count (PPAD)", vary: { regions: ["whole", "lr", "ppad5", "grid3x3"] } },
    { name: "synthesis", title: "Anomaly synthesis (PPAD)", vary: { synthesis: ["sas", "fpi", "none"] } },
    { name: "scoring", title: "Region score aggregation (PPAD)", vary: { scoring: ["paper", "mean", "max"] } },
    {
      name: "sides",
      title: "Position words: image sides (paper) vs patient sides (PPAD)",
      vary: { sides: ["image", "patient"] },
    },
  ],
  seeds: 1,
};
