/**
 * `deno task pretrain`: seeded contrastive pretraining of the small CXR CLIP (the embedded default) on synthetic
 * image–report pairs, with resumable checkpoints, a loss curve and a zero-shot check.
 *
 * Usage: deno task pretrain [--out models/ppad-mini-cxr] [--steps 800] [--batch 64] [--pool 4000] [--seed 1]
 *        [--vision-width 192] [--vision-layers 4] [--text-width 128] [--text-layers 4] [--embed 128] [--merges 2000]
 *        [--lr 5e-4] [--targets clip|grouped] [--zeroshot-test 600] [--checkpoint-every 50] [--fresh] [--backend wasm]
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, requestedBackend } from "../backend.ts";
import { readSafetensors, writeSafetensors } from "../encoders/checkpoint/mod.ts";
import { ClipModel } from "../encoders/clip/mod.ts";
import type { ClipConfig } from "../encoders/clip/config.ts";
import { BpeTokenizer } from "../encoders/tokenizer.ts";
import { saveMerges, trainBpe } from "../encoders/bpe_train.ts";
import { NORMALISATION } from "../data/preprocess.ts";
import { type PairPool, pretrainClip } from "../train/pretrain.ts";
import { AdamW } from "../train/optimizer.ts";
import { makePairPool, zeroShotReport } from "../train/pretrain_data.ts";
import { lossCurve } from "../report/charts.ts";
import { saveChart } from "../report/save.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { InputError, runMain } from "../util/errors.ts";
import { join, PROJECT_ROOT, resolve } from "../util/path.ts";
import { Progress } from "../util/progress.ts";
import { Rng } from "../util/rng.ts";
import { gitCommit } from "../util/git.ts";

await runMain(async () => {
  const { values: v } = parseCli("pretrain", Deno.args, {
    out: { type: "string" },
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
    "zeroshot-test": { type: "string" },
    "checkpoint-every": { type: "string" },
    fresh: { type: "boolean" },
    targets: { type: "string" },
    backend: { type: "string" },
  });
  const out = resolve(String(v.out ?? join(PROJECT_ROOT, "models", "ppad-mini-cxr")));
  const steps = numberFlag("steps", v.steps, 800, { integer: true, min: 1 });
  const batch = numberFlag("batch", v.batch, 64, { integer: true, min: 2 });
  const poolSize = numberFlag("pool", v.pool, 4000, { integer: true, min: 4 });
  const seed = numberFlag("seed", v.seed, 1, { integer: true, min: 0 });
  const numMerges = numberFlag("merges", v.merges, 2000, { integer: true, min: 0 });
  const lr = numberFlag("lr", v.lr, 5e-4, { min: 0 });
  const zsTest = numberFlag("zeroshot-test", v["zeroshot-test"], 600, { integer: true, min: 0 });
  const every = numberFlag("checkpoint-every", v["checkpoint-every"], 50, { integer: true, min: 1 });
  const targets = String(v.targets ?? "clip");
  if (targets !== "clip" && targets !== "grouped") {
    throw new InputError(`Cannot use --targets ${JSON.stringify(targets)}: expected clip or grouped`);
  }
  const backend = await initBackend(requestedBackend(v.backend as string | undefined));
  await Deno.mkdir(out, { recursive: true });

  // 1. Data: a seeded pool of synthetic image–report pairs (normal and abnormal), at the model's resolution.
  const resolution = 224;
  const pool: PairPool = makePairPool(new Rng(seed), poolSize, resolution, { label: "pairs" });

  // 2. Tokenizer: BPE merges learned from the report corpus by project code.
  const mergesPath = join(out, "bpe.txt");
  const merges = trainBpe(pool.texts, numMerges);
  await saveMerges(mergesPath, merges);
  const tokenizer = await BpeTokenizer.fromFile(mergesPath);
  console.error(`tokenizer: ${merges.length} merges, vocab ${tokenizer.vocabSize}`);

  // 3. Model: ViT with ViT-B/32's 7×7 patch grid (224 px, patch 32), small widths.
  const vw = numberFlag("vision-width", v["vision-width"], 192, { integer: true, min: 64 });
  const tw = numberFlag("text-width", v["text-width"], 128, { integer: true, min: 64 });
  const config: ClipConfig = {
    embedDim: numberFlag("embed", v.embed, 128, { integer: true, min: 8 }),
    imageResolution: resolution,
    visionWidth: vw,
    visionLayers: numberFlag("vision-layers", v["vision-layers"], 4, { integer: true, min: 1 }),
    visionHeads: Math.max(1, Math.round(vw / 64)),
    patchSize: 32,
    grid: 7,
    contextLength: 77,
    vocabSize: tokenizer.vocabSize,
    textWidth: tw,
    textHeads: Math.max(1, Math.round(tw / 64)),
    textLayers: numberFlag("text-layers", v["text-layers"], 4, { integer: true, min: 1 }),
  };
  const ckptModel = join(out, "checkpoint.safetensors");
  const ckptOpt = join(out, "checkpoint-optimizer.safetensors");
  const ckptState = join(out, "checkpoint.json");
  const normalisation = NORMALISATION.chexzero;
  let model: ClipModel;
  let startStep = 0;
  let history: number[] = [];
  const optimizer = new AdamW({
    lr,
    weightDecay: 0.05,
    decay: (name) => !/(\.bias|ln_|embedding|logit_scale|class_embedding)/.test(name),
  });
  const state = v.fresh ? null : await Deno.readTextFile(ckptState).then((t) => JSON.parse(t), () => null);
  if (
    state && state.steps === steps && state.seed === seed && JSON.stringify(state.config) === JSON.stringify(config)
  ) {
    const weights = await readSafetensors(ckptModel);
    model = ClipModel.fromStateDict(weights.tensors, { trainable: true, source: ckptModel });
    const opt = await readSafetensors(ckptOpt);
    const names = new Map(model.variables.map((x, i) => [String(i), x.name]));
    const moments = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [k, t] of opt.tensors) {
      const [kind, idx] = k.split("/");
      moments.set(`${kind}/${names.get(idx)}`, t);
    }
    optimizer.load(moments, state.stepsDone);
    startStep = state.stepsDone;
    history = state.losses;
    console.error(`resuming from step ${startStep}/${steps} (${ckptState})`);
  } else {
    model = ClipModel.random(config, new Rng(seed + 1), { trainable: true });
  }

  // 4. Train.
  const bar = new Progress(steps, { label: "pretrain" });
  bar.done = startStep;
  const losses: number[] = [];
  await pretrainClip(model, {
    pool,
    tokenizer,
    normalisation,
    seed,
    steps,
    batch,
    lr,
    startStep,
    optimizer,
    targets,
    checkpointEvery: every,
    onStep: (_s, loss) => {
      losses.push(loss);
      bar.tick(1, `loss ${loss.toFixed(3)}`);
    },
    onCheckpoint: async (done, opt) => {
      await writeSafetensors(ckptModel, model.toStateDict());
      const index = new Map(model.variables.map((x, i) => [x.name, String(i)]));
      const moments = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [k, t] of opt.state()) {
        const [kind, ...rest] = k.split("/");
        moments.set(`${kind}/${index.get(rest.join("/"))}`, t);
      }
      await writeSafetensors(ckptOpt, moments);
      await writeFileAtomic(
        ckptState,
        JSON.stringify({ steps, seed, targets, config, stepsDone: done, losses: [...history, ...losses] }),
      );
    },
  });
  bar.finish();
  const allLosses = [...history, ...losses];

  // 5. Zero-shot check on a fresh synthetic test split, against a randomly initialised CLIP.
  const frozen = ClipModel.fromStateDict(model.toStateDict(), { source: "pretrained" });
  const random = ClipModel.random(config, new Rng(seed + 99));
  const zs = zsTest > 0 ? zeroShotReport(frozen, random, tokenizer, normalisation, new Rng(seed + 1000), zsTest) : null;
  random.dispose();
  frozen.dispose();
  if (zs) {
    console.error(
      `zero-shot AUROC ("normal." vs "pneumonia."): pretrained ${zs.pretrained.auroc.toFixed(3)}, random init ${
        zs.random.auroc.toFixed(3)
      }`,
    );
  }

  // 6. Write the model, its card and the loss curve.
  const modelPath = join(out, "model.safetensors");
  const commit = await gitCommit();
  await writeSafetensors(modelPath, model.toStateDict(), {
    metadata: { format: "pt", name: "ppad-mini-cxr", git_commit: commit },
  });
  const card = {
    name: "ppad-mini-cxr",
    description:
      "A small OpenAI-architecture CLIP pretrained from scratch on the platform's synthetic chest X-ray benchmark",
    architecture: config,
    normalisation,
    tokenizer: "bpe.txt",
    training: {
      objective: targets === "grouped"
        ? "CLIP symmetric contrastive loss; pairs whose reports state the same finding, side and zone count as positives (UniCL-style)"
        : "CLIP symmetric contrastive loss (diagonal targets)",
      data: { generator: "lib/data/synthetic", seed, pairs: poolSize, resolution },
      optimizer: {
        name: "AdamW",
        lr,
        weightDecay: 0.05,
        warmup: Math.max(1, Math.round(steps * 0.05)),
        schedule: "cosine",
      },
      steps,
      batch,
      finalLoss: allLosses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, allLosses.length),
      backend: backend.description,
      gitCommit: commit,
    },
    zeroShot: zs,
  };
  await writeFileAtomic(join(out, "model.json"), JSON.stringify(card, null, 2) + "\n");
  await writeFileAtomic(
    join(out, "loss.csv"),
    "step,loss\n" + allLosses.map((l, i) => `${i + 1},${l.toFixed(5)}`).join("\n") + "\n",
  );
  await saveChart(
    out,
    "loss",
    lossCurve(allLosses.map((loss, i) => ({ step: i + 1, loss })), {
      title: "Pretraining loss of the small CXR CLIP",
      subtitle: `batch ${batch}, ${targets} targets; raw per step and a 25-step moving average`,
      label: "Contrastive loss (symmetric cross-entropy)",
      smooth: 25,
    }),
  );
  for (const f of [ckptModel, ckptOpt, ckptState]) await Deno.remove(f).catch(() => {});
  model.dispose();
  console.error(`wrote ${modelPath} (${tf.memory().numTensors} tensors live)`);
});
