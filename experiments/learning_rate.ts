/**
 * How fast the prompts learn (`deno task ablate --grid learning-rate`): PPAD in the paper's configuration at the
 * paper's learning rate and at 10× and 100× it. The paper's rate was set for CheXzero, whose logits are scaled by
 * about 100; the platform's small CLIPs learn a temperature near 11, which shrinks every gradient to the prompts by
 * about as much.
 * @module
 */
import { PAPER_METHOD, type SweepConfig } from "../lib/experiments/mod.ts";

export const LEARNING_RATE_SWEEP: SweepConfig = {
  name: "learning-rate",
  description: "PPAD at the paper's prompt learning rate (0.001) and at 0.01 and 0.1",
  base: { ...PAPER_METHOD },
  questions: [{ name: "lr", title: "Prompt learning rate (PPAD)", vary: { lr: [0.001, 0.01, 0.1] } }],
  seeds: 1,
};
