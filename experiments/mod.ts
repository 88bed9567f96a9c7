/**
 * The committed sweeps: `default` (the ablation grid of `deno task ablate`), `learning-rate`, and `paper` (the
 * protocol of `deno task reproduce`).
 * @module
 */
import type { SweepConfig } from "../lib/experiments/mod.ts";
import { DEFAULT_SWEEP } from "./default.ts";
import { LEARNING_RATE_SWEEP } from "./learning_rate.ts";

export { DEFAULT_SWEEP } from "./default.ts";
export { LEARNING_RATE_SWEEP } from "./learning_rate.ts";
export { PAPER_SWEEP } from "./paper.ts";

/** The grids `deno task ablate --grid NAME` runs, by name. */
export const ABLATE_GRIDS: Readonly<Record<string, SweepConfig>> = {
  default: DEFAULT_SWEEP,
  "learning-rate": LEARNING_RATE_SWEEP,
};
