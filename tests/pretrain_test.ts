import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { ClipModel } from "../lib/encoders/clip/mod.ts";
import type { ClipConfig } from "../lib/encoders/clip/config.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { BpeTokenizer } from "../lib/encoders/tokenizer.ts";
import { trainBpe } from "../lib/encoders/bpe_train.ts";
import { NORMALISATION } from "../lib/data/preprocess.ts";
import { AdamW } from "../lib/train/optimizer.ts";
import { pretrainClip } from "../lib/train/pretrain.ts";
import { makePairPool, zeroShotReport } from "../lib/train/pretrain_data.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { SHARED_DATA_DIR } from "../testing/shared.ts";

const TINY = (vocabSize: number): ClipConfig => ({
  embedDim: 16,
  imageResolution: 224,
  visionWidth: 64,
  visionLayers: 1,
  visionHeads: 1,
  patchSize: 32,
  grid: 7,
  contextLength: 77,
  vocabSize,
  textWidth: 64,
  textHeads: 1,
  textLayers: 1,
});

Deno.test({
  name: "pretrain: resuming from a checkpoint gives the same weights as an uninterrupted run",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const pool = makePairPool(new Rng(1), 12, 224);
    const tokenizer = BpeTokenizer.fromMerges(trainBpe(pool.texts, 50));
    const config = TINY(tokenizer.vocabSize);
    const opts = { pool, tokenizer, normalisation: NORMALISATION.chexzero, seed: 4, steps: 4, batch: 6, lr: 1e-3 };
    const straight = ClipModel.random(config, new Rng(2), { trainable: true });
    const counts: number[] = [];
    const l1 = await pretrainClip(straight, { ...opts, onStep: () => counts.push(tf.memory().numTensors) });
    assertEquals(l1.length, 4);
    assertEquals(counts[3], counts[2], `tensors grew across pretraining steps: ${counts}`);

    // Interrupted after 2 steps: keep weights + optimizer state, rebuild, continue.
    const first = ClipModel.random(config, new Rng(2), { trainable: true });
    type Saved = { sd: ReturnType<ClipModel["toStateDict"]>; state: ReturnType<AdamW["state"]>; step: number };
    const holder: { saved?: Saved } = {};
    const optA = new AdamW({
      lr: 1e-3,
      weightDecay: 0.05,
      decay: (name) => !/(\.bias|ln_|embedding|logit_scale|class_embedding)/.test(name),
    });
    await pretrainClip(first, {
      ...opts,
      optimizer: optA,
      checkpointEvery: 2,
      onCheckpoint: (done, opt) => {
        if (done === 2) holder.saved = { sd: first.toStateDict(), state: opt.state(), step: opt.step };
        return Promise.resolve();
      },
    });
    assert(holder.saved, "no checkpoint at step 2");
    const { sd, state, step } = holder.saved;
    const resumed = ClipModel.fromStateDict(sd, { trainable: true });
    // Optimizer keys are variable names; map the first model's names onto the resumed model's (same order).
    const rename = new Map(first.variables.map((v, i) => [v.name, resumed.variables[i].name]));
    const moments = new Map([...state].map(([k, t]) => [`${k.slice(0, 2)}${rename.get(k.slice(2))}`, t] as const));
    const optB = new AdamW({
      lr: 1e-3,
      weightDecay: 0.05,
      decay: (name) => !/(\.bias|ln_|embedding|logit_scale|class_embedding)/.test(name),
    });
    optB.load(moments, step);
    const l2 = await pretrainClip(resumed, { ...opts, optimizer: optB, startStep: 2 });
    assertEquals(l2.length, 2);
    const a = straight.toStateDict(), b = resumed.toStateDict();
    for (const [k, t] of a) {
      const u = b.get(k)!;
      let max = 0;
      for (let i = 0; i < t.data.length; i++) max = Math.max(max, Math.abs(t.data[i] - u.data[i]));
      assert(max < 1e-5, `${k} differs by ${max} after resume`);
    }
    for (const m of [straight, first, resumed]) m.dispose();
    optA.dispose();
    optB.dispose();
  },
});

const CORPUS = join(SHARED_DATA_DIR, "covid-radiography-224");
const haveCorpus = await Deno.stat(CORPUS).then(() => true, () => false);
if (!haveCorpus) console.warn(`pretrain CLI test: ${CORPUS} is absent, so it runs on synthetic pairs only`);

Deno.test({
  name: "pretrain CLI: a reduced run writes weights, card, tokenizer and loss curve that load as a model",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await Deno.makeTempDir();
    try {
      const args = [
        "run",
        "-A",
        join(PROJECT_ROOT, "cli/pretrain.ts"),
        "--out",
        out,
        "--steps",
        "3",
        "--batch",
        "6",
        "--pool",
        "16",
        "--merges",
        "60",
        "--zeroshot-test",
        "12",
        "--vision-width",
        "64",
        "--text-width",
        "64",
        "--vision-layers",
        "1",
        "--text-layers",
        "1",
        "--embed",
        "16",
        "--checkpoint-every",
        "2",
        "--eval-every",
        "2",
        "--no-benchmark-test",
        "--report-on",
        "",
        ...(haveCorpus ? ["--real", CORPUS, "--real-limit", "16"] : ["--no-real"]),
      ];
      const res = await new Deno.Command(Deno.execPath(), {
        args,
        stdout: "piped",
        stderr: "piped",
        env: { PPAD_QUIET: "1" },
      })
        .output();
      assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
      for (const f of ["model.safetensors", "model.json", "bpe.txt", "loss.png", "loss.svg", "loss.csv"]) {
        assert((await Deno.stat(join(out, f))).size > 0, `${f} missing`);
      }
      const card = JSON.parse(await Deno.readTextFile(join(out, "model.json")));
      assertEquals(card.training.steps, 3);
      assert(Number.isFinite(card.training.finalLoss));
      const zs = card.zeroShot.perFinding;
      assert(zs.pretrained.auroc >= 0 && zs.random.auroc <= 1);
      assert(card.training.logitScale > 0 && card.training.wallSeconds >= 0 && card.training.machine);
      if (haveCorpus) {
        // The held-out slice was checked during training (every 2 steps) and at the end.
        assertEquals(card.training.heldOutChecks.map((e: { step: number }) => e.step), [2, 3]);
        assertEquals(card.training.data.real.trainFiles, 16);
        assertEquals(card.zeroShot.onData[0].role, "held-out real (model selection)");
        assert((await Deno.readTextFile(join(out, "heldout.csv"))).startsWith("step,auroc,logit_scale\n2,"));
      }
      await initBackend("wasm", { quiet: true });
      const bundle = await loadModelBundle(join(out, "model.safetensors"));
      assertEquals(bundle.clip.config.visionWidth, 64);
      assertEquals(bundle.tokenizer.vocabSize, bundle.clip.config.vocabSize);
      bundle.clip.dispose();
      // Bad flags: one line, exit 2.
      const bad = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli/pretrain.ts"), "--steps", "zero"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(bad.code, 2);
      assertEquals(new TextDecoder().decode(bad.stderr).trim().split("\n").length, 1);

      // What the folder holds is never replaced by accident: a finished model needs --force, the checkpoint of other
      // settings --fresh; both refused before any work, in one line, the folder left as it was.
      const before = await Promise.all(
        ["model.safetensors", "bpe.txt", "model.json"].map((f) => Deno.readFile(join(out, f))),
      );
      const refused = async (extra: string[], message: string) => {
        const r = await new Deno.Command(Deno.execPath(), {
          args: [...args, ...extra],
          stdout: "piped",
          stderr: "piped",
        })
          .output();
        const stderr = new TextDecoder().decode(r.stderr).trim();
        assertEquals(r.code, 2, stderr);
        assertEquals(stderr.split("\n").length, 1, stderr);
        assert(stderr.includes(message), stderr);
      };
      await refused([], `it holds a finished model (${join(out, "model.safetensors")}); pass --force`);
      await Deno.writeTextFile(join(out, "checkpoint.json"), JSON.stringify({ key: { steps: 99 }, stepsDone: 5 }));
      await refused(["--force"], "the checkpoint of a pretraining with other settings (5 steps done)");
      await Deno.remove(join(out, "checkpoint.json"));
      await refused(["--force", "--real", join(out, "no-corpus")], "no-corpus");
      const after = await Promise.all(
        ["model.safetensors", "bpe.txt", "model.json"].map((f) => Deno.readFile(join(out, f))),
      );
      assertEquals(after, before);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

const SYNTHETIC = join(PROJECT_ROOT, "models", "ppad-mini-cxr-synthetic", "model.safetensors");
const haveSynthetic = await Deno.stat(SYNTHETIC).then(() => true, () => false);
if (!haveSynthetic) {
  console.warn(`skipping the zero-shot gap test: ${SYNTHETIC} is absent (restore models/ppad-mini-cxr-synthetic/)`);
}

Deno.test({
  name: "synthetic-only CLIP: it separates fresh synthetic cases better than a random one",
  ignore: !haveSynthetic,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    const bundle = await loadModelBundle(SYNTHETIC);
    const random = ClipModel.random(bundle.clip.config, new Rng(99));
    const r = zeroShotReport(bundle.clip, random, bundle.tokenizer, bundle.normalisation, new Rng(31337), 240);
    console.log(
      `zero-shot AUROC on 240 fresh cases: pretrained ${r.pretrained.auroc.toFixed(3)}, random ${
        r.random.auroc.toFixed(3)
      }`,
    );
    // Measured for the committed model on 600 other fresh cases: 0.636 vs 0.480 overall (README), driven by
    // cardiomegaly (0.99) and consolidation (0.63); the small findings sit near chance. The assertions follow that:
    // a clear gap overall, and the finding it has learned separated almost perfectly, which a random CLIP cannot do.
    console.log(`per finding: ${JSON.stringify(r.pretrained.perFinding)}`);
    assert(r.pretrained.auroc - r.random.auroc > 0.03, `gap ${r.pretrained.auroc - r.random.auroc}`);
    assert(r.pretrained.perFinding.cardiomegaly > 0.9, `cardiomegaly ${r.pretrained.perFinding.cardiomegaly}`);
    assert(r.random.perFinding.cardiomegaly < 0.8, `random cardiomegaly ${r.random.perFinding.cardiomegaly}`);
    random.dispose();
    bundle.clip.dispose();
  },
});

Deno.test("default backbone: its card records the recipe that `deno task pretrain` with its defaults runs", async () => {
  const { PRETRAIN_DEFAULTS: d } = await import("../lib/experiments/pretrain.ts");
  const card = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "models/ppad-mini-cxr-real/model.json")));
  const t = card.training;
  assertEquals(
    [t.steps, t.batch, t.optimizer.lr, t.optimizer.weightDecay, t.optimizer.logitScaleLrMultiplier],
    [d.steps, d.batch, d.lr, d.weightDecay, d.logitScaleLr],
  );
  assertEquals(t.optimizer.warmup, Math.max(1, Math.round(d.steps * 0.05)));
  const { describeAugmentPreset } = await import("../lib/train/augment.ts");
  assertEquals(t.data.real.augment, describeAugmentPreset(d.augment));
  // cards written before lesions existed have no such line: that is a run without them
  assertEquals(t.data.real.lesions ?? "none", d.realLesions > 0 ? t.data.real.lesions : "none");
  assert(d.realLesions === 0 || /opacity/.test(t.data.real.lesions), "the card describes the lesions");
  // nor a border-swap line before border swaps existed
  assertEquals(t.data.real.borderSwap ?? "none", d.borderSwap > 0 ? t.data.real.borderSwap : "none");
  assertEquals([t.data.real.fractionOfBatch, t.data.synthetic.pairs, t.data.synthetic.seed], [
    d.realFraction,
    d.syntheticPairs,
    d.seed,
  ]);
  const a = card.architecture;
  assertEquals([a.visionWidth, a.visionLayers, a.textWidth, a.textLayers, a.embedDim], [
    d.visionWidth,
    d.visionLayers,
    d.textWidth,
    d.textLayers,
    d.embed,
  ]);
});

Deno.test("pretrain flags: --augment names a preset, --no-augment is none, an unknown preset is a one-line error", async () => {
  const { COMMAND, pretrainSettings } = await import("../cli/pretrain.ts");
  const { parseCommand } = await import("../lib/util/cli.ts");
  const { InputError } = await import("../lib/util/errors.ts");
  const settings = (args: string[]) => pretrainSettings(parseCommand(COMMAND, args).values);
  assertEquals(settings([]).augment, "light");
  assertEquals(settings(["--augment", "acquisition"]).augment, "acquisition");
  assertEquals(settings(["--no-augment"]).augment, "none");
  let error: unknown;
  try {
    settings(["--augment", "strong"]);
  } catch (e) {
    error = e;
  }
  assert(error instanceof InputError, `expected an InputError, got ${error}`);
  assert(/--augment/.test(String((error as Error).message)) && !String((error as Error).message).includes("\n"));
});

Deno.test("pretrain flags: --real-lesions and --border-swap are probabilities, off by default, --lesion-group a choice; else a one-line error", async () => {
  const { COMMAND, pretrainSettings } = await import("../cli/pretrain.ts");
  const { parseCommand } = await import("../lib/util/cli.ts");
  const { InputError } = await import("../lib/util/errors.ts");
  const settings = (args: string[]) => pretrainSettings(parseCommand(COMMAND, args).values);
  assertEquals(settings([]).realLesions, 0);
  assertEquals(settings(["--real-lesions", "0.3"]).realLesions, 0.3);
  assertEquals(settings([]).lesionGroup, "place");
  assertEquals(settings(["--lesion-group", "pneumonia"]).lesionGroup, "pneumonia");
  assertEquals(settings([]).borderSwap, 0);
  assertEquals(settings(["--border-swap", "1"]).borderSwap, 1);
  const bads = [
    ["--real-lesions", "1.5"],
    ["--real-lesions", "-0.1"],
    ["--real-lesions", "some"],
    ["--lesion-group", "covid"],
    ["--border-swap", "2"],
  ];
  for (const bad of bads) {
    let error: unknown;
    try {
      settings(bad);
    } catch (e) {
      error = e;
    }
    assert(error instanceof InputError, `${bad}: expected an InputError, got ${error}`);
    const message = String((error as Error).message);
    assert(message.includes(bad[0]) && !message.includes("\n"), message);
  }
});
