import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { BpeTokenizer } from "../lib/encoders/tokenizer.ts";
import { PromptModel } from "../lib/prompts/prompt_model.ts";
import { TextPromptLearner } from "../lib/prompts/learners.ts";
import { regionSet } from "../lib/prompts/regions.ts";
import { contextPlacement, tokenizePrompts } from "../lib/prompts/text.ts";
import { VARIANTS } from "../lib/prompts/variants.ts";
import { Rng } from "../lib/util/rng.ts";
import { TEST_BPE_PATH, TEST_MODEL_PATH } from "../testing/test_model.ts";

Deno.test({
  name: "prompts: [SOS] <position words> V1…V16 <class word> . [EOS], context start and EOT index (hand-counted)",
  fn: async () => {
    // The tests' vocabulary, learned on reports: position and class words are one token each, as in CLIP's.
    const tok = await BpeTokenizer.fromFile(TEST_BPE_PATH);
    const left = tok.encode("left lung"), normal = tok.encode("normal."), pneu = tok.encode("pneumonia.");
    assertEquals([left.length, normal.length, pneu.length], [2, 2, 2], "one token per word and one for the period");
    const p = tokenizePrompts(tok, ["left lung", ""], ["normal", "pneumonia"], 16);
    // Prompt order: region-major, class-minor.
    assertEquals(p.regionOf, [0, 0, 1, 1]);
    assertEquals(p.classOf, [0, 1, 0, 1]);
    // "left lung": SOS at 0, words at 1–2, context at 3–18, class word + period at 19–20, EOT at 21.
    // Whole image (no words): context at 1–16, class at 17–18, EOT at 19. Padded length = 21 + 1 = 22.
    assertEquals(p.ctxStart, [3, 3, 1, 1]);
    assertEquals(p.eot, [21, 21, 19, 19]);
    assertEquals(p.length, 22);
    const X = tok.encode("X")[0];
    assertEquals(p.ids[0], [tok.sot, ...left, ...Array(16).fill(X), ...normal, tok.eot]);
    assertEquals(p.ids[3], [tok.sot, ...Array(16).fill(X), ...pneu, tok.eot, 0, 0]);
    // The EOT id is the largest id, so CLIP's argmax pooling finds the same position.
    p.ids.forEach((row, i) => assertEquals(row.indexOf(Math.max(...row)), p.eot[i]));
    assertEquals(p.texts[0], "left lung X X X X X X X X X X X X X X X X normal.");
    assertEquals(p.texts[3], "X X X X X X X X X X X X X X X X pneumonia.");
    // One-hot placement: row (p, t) has a 1 in column i iff t = ctxStart[p] + i; keep is 0 exactly there.
    const q = tokenizePrompts(tok, ["left lung"], ["normal", "pneumonia"], 2);
    const { placement, keep } = contextPlacement(q);
    assertEquals(q.length, 8); // SOS left lung V1 V2 normal . EOS
    const ones: number[][] = [];
    for (let r = 0; r < 2 * q.length; r++) {
      for (let i = 0; i < 2; i++) if (placement[r * 2 + i]) ones.push([Math.floor(r / q.length), r % q.length, i]);
    }
    assertEquals(ones, [[0, 3, 0], [0, 4, 1], [1, 3, 0], [1, 4, 1]]);
    assertEquals(Array.from(keep), [1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1]);
    // nCtx 0: plain text, no context.
    const plain = tokenizePrompts(tok, [""], ["normal", "pneumonia"], 0);
    assertEquals(plain.ctxStart, [-1, -1]);
    assertEquals(plain.ids[0], [tok.sot, ...normal, tok.eot]);
  },
});

Deno.test({
  name: "prompts on the mini CLIP: context spliced at its positions; EOT pooling; the region-logit selector",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("cpu", { quiet: true });
    const bundle = await loadModelBundle(TEST_MODEL_PATH);
    const { clip, tokenizer } = bundle;
    const prompts = tokenizePrompts(tokenizer, ["left lung", ""], ["normal", "pneumonia"], 4);
    const learner = new TextPromptLearner(clip, prompts, new Rng(1), { learn: true });
    const emb = learner.embeddings().arraySync() as number[][][];
    const frozen = clip.tokenEmbeddings(prompts.ids).arraySync() as number[][][];
    const ctx = learner.context!.arraySync() as number[][];
    for (let p = 0; p < prompts.ids.length; p++) {
      for (let t = 0; t < prompts.length; t++) {
        const i = t - prompts.ctxStart[p];
        const want = i >= 0 && i < 4 ? ctx[i] : frozen[p][t];
        emb[p][t].forEach((v, d) => assertAlmostEquals(v, want[d], 1e-6, `prompt ${p} token ${t}`));
      }
    }
    // EOT pooling: without context the features equal CLIP's own text encoder (argmax = EOT) on the same ids.
    const fixed = new TextPromptLearner(
      clip,
      tokenizePrompts(tokenizer, ["left lung", ""], ["normal", "pneumonia"], 0),
      new Rng(1),
      {
        learn: false,
      },
    );
    const a = fixed.features(clip).arraySync() as number[][];
    const b = clip.encodeText(fixed.prompts.ids).arraySync() as number[][];
    a.forEach((row, i) => row.forEach((v, d) => assertAlmostEquals(v, b[i][d], 1e-4)));
    learner.dispose();
    fixed.dispose();

    // Region-logit selector: sample i gets scale · sims[i, region_i·C + k] for classes k.
    const model = new PromptModel(clip, tokenizer, {
      variant: VARIANTS.ppad,
      regions: regionSet("ppad5", clip.config.imageResolution),
      nCtx: 4,
      rng: new Rng(2),
    });
    const d = clip.config.embedDim;
    const img = tf.tensor2d([[1, 0, ...Array(d - 2).fill(0)], [0, 1, ...Array(d - 2).fill(0)]]);
    // text row j = 0.01·(j+1)·e0 + 0.1·(j+1)·e1 → sims[0, j] = 0.01(j+1), sims[1, j] = 0.1(j+1).
    const txt = tf.tensor2d(
      Array.from({ length: 10 }, (_, j) => [0.01 * (j + 1), 0.1 * (j + 1), ...Array(d - 2).fill(0)]),
    );
    const logits = model.regionLogits(img, txt, [3, 1]).arraySync();
    // Sample 0, region 3 (lower): columns 6, 7 → 0.07, 0.08; sample 1, region 1 (right): columns 2, 3 → 0.3, 0.4.
    const s = model.scale;
    assert(s > 1);
    [[0.07 * s, 0.08 * s], [0.3 * s, 0.4 * s]].forEach((row, i) =>
      row.forEach((v, k) => assertAlmostEquals(logits[i][k], v, 1e-4))
    );
    tf.dispose([img, txt]);
    model.dispose();
    clip.dispose();
  },
});
