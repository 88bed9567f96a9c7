/**
 * The paper's protocol (`deno task reproduce`): PPAD with ppad5 regions, SAS, paper scoring, 64-shot normal-only,
 * 100 steps, 5 seeds; plus the zero-shot and CoOp baselines the paper compares with.
 * @module
 */
import { PAPER_METHOD, type SweepConfig } from "../lib/experiments/mod.ts";

export const PAPER_SWEEP: SweepConfig = {
  name: "paper",
  description: "PPAD's main table: zero-shot, CoOp and PPAD under the paper's protocol",
  base: { ...PAPER_METHOD },
  questions: [{ name: "main", title: "Main table", vary: { variant: ["zeroshot", "coop", "ppad"] } }],
  seeds: 5,
};
