/**
 * `deno task pretrain`: seeded contrastive pretraining of the small CXR CLIP (the embedded default) on real chest
 * X-rays with captions mixed with synthetic image–report pairs; resumable, with a progress bar, held-out checks, a
 * loss curve, a zero-shot report and a model card. See lib/experiments/pretrain.ts.
 * @module
 */
import { initBackend, requestedBackend } from "../backend.ts";
import { PRETRAIN_DEFAULTS, type PretrainSettings, runPretraining } from "../experiments/pretrain.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { InputError, runMain } from "../util/errors.ts";
import { join, PROJECT_ROOT, resolve } from "../util/path.ts";

await runMain(async () => {
  const { values: v } = parseCli("pretrain", Deno.args, {
    out: { type: "string" },
    real: { type: "string" },
    "no-real": { type: "boolean" },
    "real-fraction": { type: "string" },
    "real-limit": { type: "string" },
    "no-augment": { type: "boolean" },
    steps: { type: "string" },
    batch: { type: "string" },
    pool: { type: "string" },
    seed: { type: "string" },
    "vision-width": { type: "string" },
    "vision-layers": { type: "string" },
    "text-width": { type: "string" },
    "text-layers": { type: "string" },
    embed: { type: "string" },
    merges: { type: "string" },
    lr: { type: "string" },
    "logit-scale-lr": { type: "string" },
    "eval-every": { type: "string" },
    "zeroshot-test": { type: "string" },
    "no-benchmark-test": { type: "boolean" },
    "report-on": { type: "string" },
    "checkpoint-every": { type: "string" },
    fresh: { type: "boolean" },
    targets: { type: "string" },
    backend: { type: "string" },
  });
  const d = PRETRAIN_DEFAULTS;
  const targets = String(v.targets ?? d.targets);
  if (targets !== "clip" && targets !== "grouped") {
    throw new InputError(`Cannot use --targets ${JSON.stringify(targets)}: expected clip or grouped`);
  }
  const int = (name: string, fallback: number, min: number) =>
    numberFlag(name, v[name], fallback, { integer: true, min });
  const realLimit = v["real-limit"] === undefined ? null : int("real-limit", 0, 2);
  const settings: PretrainSettings = {
    out: resolve(String(v.out ?? join(PROJECT_ROOT, "models", "ppad-mini-cxr"))),
    real: v["no-real"] ? null : resolve(PROJECT_ROOT, String(v.real ?? d.real)),
    realFraction: numberFlag("real-fraction", v["real-fraction"], d.realFraction, { min: 0, max: 1 }),
    augment: !v["no-augment"],
    heldOut: d.heldOut,
    realLimit,
    steps: int("steps", d.steps, 1),
    batch: int("batch", d.batch, 2),
    syntheticPairs: int("pool", d.syntheticPairs, 0),
    seed: int("seed", d.seed, 0),
    lr: numberFlag("lr", v.lr, d.lr, { min: 0 }),
    logitScaleLr: numberFlag("logit-scale-lr", v["logit-scale-lr"], d.logitScaleLr, { min: 0 }),
    weightDecay: d.weightDecay,
    merges: int("merges", d.merges, 0),
    targets,
    visionWidth: int("vision-width", d.visionWidth, 64),
    visionLayers: int("vision-layers", d.visionLayers, 1),
    textWidth: int("text-width", d.textWidth, 64),
    textLayers: int("text-layers", d.textLayers, 1),
    embed: int("embed", d.embed, 8),
    evalEvery: int("eval-every", d.evalEvery, 0),
    checkpointEvery: int("checkpoint-every", d.checkpointEvery, 1),
    fresh: Boolean(v.fresh),
    zeroShotCases: int("zeroshot-test", d.zeroShotCases, 0),
    benchmarkTest: !v["no-benchmark-test"],
    reportOn: v["report-on"] === undefined
      ? d.reportOn.map((p) => resolve(PROJECT_ROOT, p))
      : String(v["report-on"]).split(",").filter((p) => p !== "").map((p) => resolve(p)),
  };
  if (settings.real === null && settings.syntheticPairs === 0) {
    throw new InputError("Cannot pretrain with --no-real and --pool 0: there is no data");
  }
  const backend = await initBackend(requestedBackend(v.backend as string | undefined));
  await runPretraining(settings, backend.description);
});
