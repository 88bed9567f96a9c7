/**
 * The CLIP engine's hand-written gradients against TensorFlow.js' own autodiff of a naive implementation, PPAD's two
 * hooks, a trainable model on wasm (no missing kernels), and tensor counts across training steps.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import { type BackendName, initBackend } from "../lib/backend.ts";
import { type ClipConfig, ClipModel } from "../lib/encoders/clip/mod.ts";
import {
  attention,
  type AttentionParams,
  type BlockParams,
  causalMask,
  gatherRows,
  layerNorm,
  linearFrozen,
  linearTrainable,
  mlp,
  type MlpParams,
  packBlock,
  packLinear,
  prepareAttention,
  prepareMlp,
  transformerBlock,
} from "../lib/encoders/clip/layers.ts";
import { Rng } from "../lib/util/rng.ts";
import { assertTensorClose as assertCloseWithin, randn } from "./tensor_asserts.ts";

/** Closeness at the engine tests' default tolerance, 1e-4 of the reference's largest value. */
const assertTensorClose = (name: string, a: tf.Tensor, b: tf.Tensor, tol = 1e-4) => assertCloseWithin(name, a, b, tol);

const TINY: ClipConfig = {
  embedDim: 32,
  imageResolution: 64,
  visionWidth: 128,
  visionLayers: 2,
  visionHeads: 2,
  patchSize: 16,
  grid: 4,
  contextLength: 12,
  vocabSize: 300,
  textWidth: 64,
  textHeads: 1,
  textLayers: 2,
};

// ---------------------------------------------------------------------------------------------------------------------
// Naive reference: plain tf ops, differentiated by tf itself.

function naiveLn(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

function naiveAttention(x: tf.Tensor, p: AttentionParams, b: number, t: number, h: number, mask: tf.Tensor | null) {
  const w = p.outW.shape[0], d = w / h;
  const qkv = tf.add(tf.matMul(x as tf.Tensor2D, p.inW, false, true), p.inB);
  const [q, k, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [b, t, 3, h, d]), [2, 0, 3, 1, 4]));
  let s = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
  if (mask) s = tf.add(s, mask);
  const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), v), [0, 2, 1, 3]), [b * t, w]);
  return tf.add(tf.matMul(o, p.outW, false, true), p.outB);
}

function naiveMlp(x: tf.Tensor, p: MlpParams): tf.Tensor {
  const h = tf.add(tf.matMul(x as tf.Tensor2D, p.fcW, false, true), p.fcB);
  return tf.add(tf.matMul(tf.mul(h, tf.sigmoid(tf.mul(h, 1.702))) as tf.Tensor2D, p.projW, false, true), p.projB);
}

function naiveBlocks(
  x: tf.Tensor,
  get: (k: string) => tf.Tensor,
  prefix: string,
  n: number,
  b: number,
  t: number,
  h: number,
  mask: tf.Tensor | null,
) {
  for (let i = 0; i < n; i++) {
    const k = (s: string) => get(`${prefix}.${i}.${s}`);
    const attn = {
      inW: k("attn.in_proj_weight"),
      inB: k("attn.in_proj_bias"),
      outW: k("attn.out_proj.weight"),
      outB: k("attn.out_proj.bias"),
    };
    x = tf.add(x, naiveAttention(naiveLn(x, k("ln_1.weight"), k("ln_1.bias")), attn as AttentionParams, b, t, h, mask));
    const m = {
      fcW: k("mlp.c_fc.weight"),
      fcB: k("mlp.c_fc.bias"),
      projW: k("mlp.c_proj.weight"),
      projB: k("mlp.c_proj.bias"),
    };
    x = tf.add(x, naiveMlp(naiveLn(x, k("ln_2.weight"), k("ln_2.bias")), m as MlpParams));
  }
  return x;
}

/** OpenAI's encode_image with a real conv2d, plus PPAD's prompt replacement: `[B, R, R, 3]` → `[B, E]`. */
function naiveImage(m: ClipModel, pixels: tf.Tensor4D, keep: tf.Tensor | null, prompts: tf.Tensor | null): tf.Tensor {
  const c = m.config, get = (k: string) => m.variable(k), b = pixels.shape[0], n = c.grid * c.grid, w = c.visionWidth;
  const filter = tf.transpose(get("visual.conv1.weight"), [2, 3, 1, 0]) as tf.Tensor4D;
  let x: tf.Tensor = tf.reshape(tf.conv2d(pixels, filter, c.patchSize, "valid"), [b, n, w]);
  if (keep && prompts) {
    const mk = tf.reshape(keep, [-1, n, 1]);
    x = tf.add(tf.mul(x, mk), tf.mul(prompts, tf.sub(1, mk)));
  }
  x = tf.concat([tf.tile(tf.reshape(get("visual.class_embedding"), [1, 1, w]), [b, 1, 1]), x], 1);
  x = tf.reshape(tf.add(x, get("visual.positional_embedding")), [b * (n + 1), w]);
  x = naiveLn(x, get("visual.ln_pre.weight"), get("visual.ln_pre.bias"));
  x = naiveBlocks(x, get, "visual.transformer.resblocks", c.visionLayers, b, n + 1, c.visionHeads, null);
  const cls = tf.squeeze(tf.slice(tf.reshape(x, [b, n + 1, w]), [0, 0, 0], [b, 1, w]), [1]);
  return tf.matMul(
    naiveLn(cls, get("visual.ln_post.weight"), get("visual.ln_post.bias")) as tf.Tensor2D,
    get("visual.proj") as tf.Tensor2D,
  );
}

/** OpenAI's encode_text over the full context, from embeddings `[n, ctx, width]`. */
function naiveText(m: ClipModel, emb: tf.Tensor3D, eot: number[]): tf.Tensor {
  const c = m.config, get = (k: string) => m.variable(k), [n, ctx, w] = emb.shape;
  let x: tf.Tensor = tf.reshape(tf.add(emb, tf.slice(get("positional_embedding"), [0, 0], [ctx, w])), [n * ctx, w]);
  const mask = causalMask(ctx);
  x = naiveBlocks(x, get, "transformer.resblocks", c.textLayers, n, ctx, c.textHeads, mask);
  const onehot = tf.oneHot(tf.tensor1d(eot.map((e, i) => i * ctx + e), "int32"), n * ctx);
  const sel = tf.matMul(onehot, x as tf.Tensor2D);
  return tf.matMul(
    naiveLn(sel, get("ln_final.weight"), get("ln_final.bias")) as tf.Tensor2D,
    get("text_projection") as tf.Tensor2D,
  );
}

// ---------------------------------------------------------------------------------------------------------------------

async function onEach(t: Deno.TestContext, fn: (backend: BackendName) => void | Promise<void>): Promise<void> {
  for (const backend of ["cpu", "wasm"] as const) {
    await t.step(backend, async () => {
      await initBackend(backend, { quiet: true });
      await fn(backend);
    });
  }
}

Deno.test("layers: values and custom gradients match tf autodiff, frozen and trainable", async (t) => {
  await onEach(t, () => {
    const rng = new Rng(3);
    const b = 2, tk = 5, w = 128, h = 2, n = b * tk;
    tf.tidy(() => {
      const x = randn(rng, [n, w]) as tf.Tensor2D;
      const r = randn(rng, [n, w]);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, r)) as tf.Scalar;
      const check = (
        name: string,
        mine: (...a: tf.Tensor[]) => tf.Tensor,
        ref: (...a: tf.Tensor[]) => tf.Tensor,
        inputs: tf.Tensor[],
      ) => {
        assertTensorClose(`${name} value`, mine(...inputs), ref(...inputs));
        const g1 = tf.grads((...a: tf.Tensor[]) => loss(mine(...a)))(inputs);
        const g2 = tf.grads((...a: tf.Tensor[]) => loss(ref(...a)))(inputs);
        g1.forEach((g, i) => assertTensorClose(`${name} grad ${i}`, g, g2[i]));
      };
      // linear
      const lw = randn(rng, [w, w], 0.1) as tf.Tensor2D, lb = randn(rng, [w]) as tf.Tensor1D;
      const naiveLinear = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.add(tf.matMul(xi as tf.Tensor2D, wi as tf.Tensor2D, false, true), bi);
      check(
        "linear frozen",
        (xi) => linearFrozen(xi as tf.Tensor2D, { w: lw, wT: tf.transpose(lw), b: lb }),
        (xi) => naiveLinear(xi, lw, lb),
        [x],
      );
      // Packed outside the differentiated function: the gradient uses the packed copies after it returns.
      const lwT = tf.transpose(lw) as tf.Tensor2D, lpk = packLinear(lw);
      check(
        "linear frozen, packed where the wasm kernels run",
        (xi) => linearFrozen(xi as tf.Tensor2D, { w: lw, wT: lwT, b: lb, packed: lpk }),
        (xi) => naiveLinear(xi, lw, lb),
        [x],
      );
      check(
        "linear trainable",
        (xi, wi, bi) => linearTrainable(xi as tf.Tensor2D, tf.transpose(wi) as tf.Tensor2D, bi as tf.Tensor1D),
        naiveLinear,
        [x, lw, lb],
      );
      // layer norm
      const g = randn(rng, [w]) as tf.Tensor1D, bb = randn(rng, [w]) as tf.Tensor1D;
      check("layerNorm frozen", (xi) => layerNorm(xi as tf.Tensor2D, g, bb, false), (xi) => naiveLn(xi, g, bb), [x]);
      check(
        "layerNorm trainable",
        (xi, gi, bi) => layerNorm(xi as tf.Tensor2D, gi as tf.Tensor1D, bi as tf.Tensor1D, true),
        naiveLn,
        [x, g, bb],
      );
      // mlp
      const mp: MlpParams = {
        fcW: randn(rng, [4 * w, w], 0.1) as tf.Tensor2D,
        fcB: randn(rng, [4 * w], 0.1) as tf.Tensor1D,
        projW: randn(rng, [w, 4 * w], 0.1) as tf.Tensor2D,
        projB: randn(rng, [w], 0.1) as tf.Tensor1D,
      };
      check("mlp frozen", (xi) => mlp(xi as tf.Tensor2D, mp, prepareMlp(mp)), (xi) => naiveMlp(xi, mp), [x]);
      const asMlp = (a: tf.Tensor[]) => ({ fcW: a[0], fcB: a[1], projW: a[2], projB: a[3] }) as MlpParams;
      check(
        "mlp trainable",
        (xi, ...a) => mlp(xi as tf.Tensor2D, asMlp(a), null),
        (xi, ...a) => naiveMlp(xi, asMlp(a)),
        [x, mp.fcW, mp.fcB, mp.projW, mp.projB],
      );
      // attention, with and without the causal mask
      const ap: AttentionParams = {
        inW: randn(rng, [3 * w, w], 0.1) as tf.Tensor2D,
        inB: randn(rng, [3 * w], 0.1) as tf.Tensor1D,
        outW: randn(rng, [w, w], 0.1) as tf.Tensor2D,
        outB: randn(rng, [w], 0.1) as tf.Tensor1D,
      };
      const asAttn = (a: tf.Tensor[]) => ({ inW: a[0], inB: a[1], outW: a[2], outB: a[3] }) as AttentionParams;
      for (const mask of [null, causalMask(tk)]) {
        const shape = { batch: b, tokens: tk, heads: h, mask };
        const tag = mask ? "causal" : "full";
        check(
          `attention ${tag} frozen`,
          (xi) => attention(xi as tf.Tensor2D, ap, prepareAttention(ap), shape),
          (xi) => naiveAttention(xi, ap, b, tk, h, mask),
          [x],
        );
        check(
          `attention ${tag} trainable`,
          (xi, ...a) => attention(xi as tf.Tensor2D, asAttn(a), null, shape),
          (xi, ...a) => naiveAttention(xi, asAttn(a), b, tk, h, mask),
          [x, ap.inW, ap.inB, ap.outW, ap.outB],
        );
      }
      // the whole residual block as one op
      const list = [
        randn(rng, [w], 0.5).add(1),
        randn(rng, [w], 0.1),
        ap.inW,
        ap.inB,
        ap.outW,
        ap.outB,
        randn(rng, [w], 0.5).add(1),
        randn(rng, [w], 0.1),
        mp.fcW,
        mp.fcB,
        mp.projW,
        mp.projB,
      ];
      const asBlock = (l: tf.Tensor[]): BlockParams =>
        ({
          ln1G: l[0],
          ln1B: l[1],
          attn: asAttn(l.slice(2, 6)),
          ln2G: l[6],
          ln2B: l[7],
          mlp: asMlp(l.slice(8, 12)),
        }) as BlockParams;
      const naiveBlock = (xi: tf.Tensor, l: tf.Tensor[], mask: tf.Tensor | null) => {
        const a = tf.add(xi, naiveAttention(naiveLn(xi, l[0], l[1]), asAttn(l.slice(2, 6)), b, tk, h, mask));
        return tf.add(a, naiveMlp(naiveLn(a, l[6], l[7]), asMlp(l.slice(8, 12))));
      };
      for (const mask of [null, causalMask(tk)]) {
        const shape = { batch: b, tokens: tk, heads: h, mask };
        const tag = mask ? "causal" : "full";
        const bp = asBlock(list);
        // Plain ops (transposed copies) everywhere, and the wasm kernels (packed weights) where they run.
        const plain = { attn: prepareAttention(bp.attn), mlp: prepareMlp(bp.mlp), packed: null };
        const packed = { attn: null, mlp: null, packed: packBlock(bp) };
        for (const [kind, prepared] of [["plain", plain], ["packed", packed]] as const) {
          check(
            `block ${tag} frozen (${kind})`,
            (xi) => transformerBlock(xi as tf.Tensor2D, bp, prepared, shape),
            (xi) => naiveBlock(xi, list, mask),
            [x],
          );
        }
        check(
          `block ${tag} trainable`,
          (xi, ...l) => transformerBlock(xi as tf.Tensor2D, asBlock(l), null, shape),
          (xi, ...l) => naiveBlock(xi, l, mask),
          [x, ...list],
        );
      }
      // row gather with repeated rows: the scatter must sum them
      const idx = [3, 0, 3, 9, 3];
      const rr = randn(rng, [idx.length, w]);
      const gl = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(gatherRows(xi as tf.Tensor2D, idx), rr)))(x);
      const onehot = tf.oneHot(tf.tensor1d(idx, "int32"), n);
      const gr = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.matMul(onehot, xi as tf.Tensor2D), rr)))(x);
      assertTensorClose("gatherRows grad", gl, gr);
    });
  });
});

Deno.test("model hooks: gradients reach image prompts and spliced context vectors, matching a naive CLIP", async (t) => {
  await onEach(t, () => {
    const model = ClipModel.random(TINY, new Rng(11));
    const rng = new Rng(5);
    try {
      tf.tidy(() => {
        const n = TINY.grid * TINY.grid;
        const pixels = randn(rng, [3, 64, 64, 3]) as tf.Tensor4D;
        const keep = tf.tensor2d(Array.from({ length: 3 * n }, (_, i) => (i % 3 === 0 ? 0 : 1)), [3, n]);
        const prompts = randn(rng, [n, TINY.visionWidth], 0.2) as tf.Tensor2D;
        const r = randn(rng, [3, TINY.embedDim]);
        assertTensorClose("encodeImage", model.encodeImage(pixels), naiveImage(model, pixels, null, null));
        const mine = tf.grad((p: tf.Tensor) =>
          tf.sum(tf.mul(model.encodeImageWithPrompts(pixels, keep, p as tf.Tensor2D), r))
        )(prompts);
        const ref = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(naiveImage(model, pixels, keep, p), r)))(prompts);
        assertTensorClose("image prompt gradient", mine, ref);
        // keep = 1 everywhere: prompts are unused, features equal encodeImage's.
        assertTensorClose(
          "all-kept prompts",
          model.encodeImageWithPrompts(pixels, tf.ones([n]), prompts),
          model.encodeImage(pixels),
        );

        // [SOS] word V1 V2 V3 word . [EOS] with learnable V; EOT rows differ in position.
        const ids = [[298, 5, 1, 1, 1, 7, 8, 299, 0, 0], [298, 1, 1, 1, 9, 299, 0, 0, 0, 0]];
        const ctxv = randn(rng, [3, TINY.textWidth], 0.02);
        const splice = (v: tf.Tensor) => {
          const e = model.tokenEmbeddings(ids);
          const rows = [
            tf.concat([tf.slice(e, [0, 0, 0], [1, 2, -1]), tf.expandDims(v, 0), tf.slice(e, [0, 5, 0], [1, 5, -1])], 1),
            tf.concat([tf.slice(e, [1, 0, 0], [1, 1, -1]), tf.expandDims(v, 0), tf.slice(e, [1, 4, 0], [1, 6, -1])], 1),
          ];
          return tf.concat(rows, 0) as tf.Tensor3D;
        };
        const rt = randn(rng, [2, TINY.embedDim]);
        const eot = [7, 5];
        assertTensorClose("encodeText", model.encodeText(ids), naiveText(model, model.tokenEmbeddings(ids), eot));
        const gm = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model.encodeTextEmbeddings(splice(v), eot), rt)))(ctxv);
        const gn = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(naiveText(model, splice(v), eot), rt)))(ctxv);
        assertTensorClose("context vector gradient", gm, gn);
      });
    } finally {
      model.dispose();
    }
  });
});

/** CLIP's symmetric contrastive loss on a batch. */
function clipLoss(m: ClipModel, img: tf.Tensor2D, txt: tf.Tensor2D): tf.Scalar {
  const logits = m.logits(img, txt);
  const targets = tf.oneHot(tf.range(0, img.shape[0], 1, "int32"), img.shape[0]);
  return tf.div(
    tf.add(
      tf.losses.softmaxCrossEntropy(targets, logits),
      tf.losses.softmaxCrossEntropy(targets, tf.transpose(logits)),
    ),
    2,
  ) as tf.Scalar;
}

Deno.test("trainable model: every variable's gradient matches a naive CLIP; a training step runs on wasm", async (t) => {
  const rng = new Rng(9);
  const pixels = randn(rng, [2, 64, 64, 3]) as tf.Tensor4D;
  const ids = [[298, 5, 6, 299, 0, 0], [298, 17, 299, 0, 0, 0]];
  const reference = new Map<string, Float32Array>();
  await onEach(t, (backend) => {
    const model = ClipModel.random(TINY, new Rng(12), { trainable: true });
    try {
      const emb = (m: ClipModel) =>
        tf.gather(m.variable("token_embedding.weight"), tf.tensor1d(ids.flat(), "int32")).reshape([2, 6, -1]);
      const mine = tf.variableGrads(
        () => clipLoss(model, model.encodeImage(pixels), model.encodeText(ids)),
        model.variables,
      );
      assertEquals(Object.keys(mine.grads).length, model.variables.length);
      for (const v of model.variables) {
        const key = v.name.slice(v.name.indexOf("/") + 1);
        reference.set(`${backend}/${key}`, Float32Array.from(mine.grads[v.name].dataSync()));
      }
      if (backend === "cpu") {
        const naive = tf.variableGrads(
          () =>
            clipLoss(
              model,
              naiveImage(model, pixels, null, null) as tf.Tensor2D,
              naiveText(model, emb(model) as tf.Tensor3D, [3, 2]) as tf.Tensor2D,
            ),
          model.variables,
        );
        for (const v of model.variables) {
          assertTensorClose(`grad ${v.name}`, mine.grads[v.name], naive.grads[v.name], 2e-4);
        }
        tf.dispose([naive.value, naive.grads]);
      } else {
        // wasm (no UnsortedSegmentSum, no Conv2DBackpropFilter) gives the same gradients as cpu.
        for (const v of model.variables) {
          const key = v.name.slice(v.name.indexOf("/") + 1);
          const a = tf.tensor(reference.get(`wasm/${key}`)!), b = tf.tensor(reference.get(`cpu/${key}`)!);
          if (tf.max(tf.abs(b)).dataSync()[0] > 0) assertTensorClose(`wasm vs cpu ${key}`, a, b, 1e-3);
          tf.dispose([a, b]);
        }
      }
      tf.dispose([mine.value, mine.grads]);
    } finally {
      model.dispose();
    }
  });
  pixels.dispose();
});

Deno.test("memory: tensor count stays flat across training steps (prompts on a frozen model, and a trainable model)", async (t) => {
  await onEach(t, () => {
    const rng = new Rng(1);
    const frozen = ClipModel.random(TINY, new Rng(2));
    const trainable = ClipModel.random(TINY, new Rng(3), { trainable: true });
    const pixels = randn(rng, [2, 64, 64, 3]) as tf.Tensor4D;
    const n = TINY.grid * TINY.grid;
    const keep = tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2));
    const prompts = tf.variable(randn(rng, [n, TINY.visionWidth], 0.2));
    const ctxv = tf.variable(randn(rng, [1, 2, TINY.textWidth], 0.02));
    const ids = [[298, 1, 1, 7, 299, 0], [298, 1, 1, 8, 299, 0]];
    const opt = tf.train.sgd(0.01);
    const opt2 = tf.train.adam(1e-3);
    const counts: number[] = [];
    const losses: number[] = [];
    try {
      for (let step = 0; step < 4; step++) {
        const loss = opt.minimize(
          () => {
            const e = frozen.tokenEmbeddings(ids);
            const spliced = tf.concat([
              tf.slice(e, [0, 0, 0], [2, 1, -1]),
              tf.tile(ctxv, [2, 1, 1]),
              tf.slice(e, [0, 3, 0], [2, 3, -1]),
            ], 1);
            return clipLoss(
              frozen,
              frozen.encodeImageWithPrompts(pixels, keep, prompts as tf.Variable<tf.Rank.R2>),
              frozen.encodeTextEmbeddings(spliced as tf.Tensor3D, [4, 4]),
            );
          },
          true,
          [prompts, ctxv],
        );
        losses.push(loss!.dataSync()[0]);
        loss!.dispose();
        opt2.minimize(
          () => clipLoss(trainable, trainable.encodeImage(pixels), trainable.encodeText(ids)),
          false,
          trainable.variables,
        );
        counts.push(tf.memory().numTensors);
      }
      // After the first step (optimizer slots, frozen model's prepared weights), nothing accumulates.
      assertEquals(counts.slice(1), [counts[1], counts[1], counts[1]]);
      assert(losses.every(Number.isFinite), `finite losses ${losses}`);
    } finally {
      tf.dispose([pixels, keep, prompts, ctxv]);
      opt.dispose();
      opt2.dispose();
      frozen.dispose();
      trainable.dispose();
    }
  });
});
