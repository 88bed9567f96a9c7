/** Run records for report tests, built the way a sweep builds them (canonical specs from `makeRunSpec`). */
import { makeRunSpec, type MethodSpec, runContext } from "../lib/experiments/config.ts";
import type { RunRecord } from "../lib/experiments/store.ts";

/** A finished run of `method` with the given AUROC (fraction), answering `questions`. */
export function runRecord(
  id: string,
  method: Partial<MethodSpec>,
  options: { questions?: string[]; auroc?: number; seed?: number; dataset?: string; losses?: number[] } = {},
): RunRecord {
  const context = runContext({
    modelRelative: "models/m.safetensors",
    modelHash: "hash0001",
    dataRoot: "/data/x",
    dataRelative: "data/x",
    dataset: options.dataset ?? "synthetic-cxr",
    backend: "cpu",
    testLimit: null,
  });
  const auroc = options.auroc ?? 0.8;
  return {
    id,
    trainingId: `t-${id}`,
    spec: makeRunSpec(method, context, options.seed ?? 0),
    questions: options.questions ?? ["prompts"],
    metrics: { auroc, ap: auroc, acc: 0.7, f1: 0.75, f1max: 0.8, auroc_lo: auroc - 0.05, auroc_hi: auroc + 0.05 },
    nTest: 60,
    positives: 36,
    seconds: 30,
    losses: options.losses ?? [0.7, 0.6, 0.5],
    finishedAt: `2026-01-0${1 + (id.length % 9)}T00:00:00Z`,
  };
}
