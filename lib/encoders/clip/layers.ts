/**
 * Fast transformer primitives with hand-written gradients, shaped for tfjs-wasm: every large matMul is plain 2-D with
 * no transpose flags (the only form wasm sends to its fast kernel), forward and backward alike; transposes are explicit.
 * Each op has two modes: frozen (weights captured, gradient only to the input, backward never computes weight
 * gradients) and trainable (weights are inputs of the custom gradient and receive gradients).
 * Rows are tokens: activations are `[rows, width]` with rows = batch · tokens.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  fusedAttention,
  fusedAttentionGrad,
  fusedAvailable,
  fusedGelu,
  fusedGeluGrad,
  fusedLayerNorm,
  fusedLayerNormGrad,
  fusedLinear,
  type LinearWeight,
  linearWeight,
} from "./wasm/runtime.ts";

type Save = (tensors: tf.Tensor[]) => void;
type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** Runs `forward` under `tf.customGrad` with gradients for every tensor in `inputs`, in order. */
function custom<T extends tf.Tensor>(
  inputs: tf.Tensor[],
  forward: (inputs: tf.Tensor[], save: Save) => { value: T; grad: GradFn },
): T {
  const f = tf.customGrad(
    ((...args: unknown[]) => {
      const save = args.pop() as Save;
      const { value, grad } = forward(args as tf.Tensor[], save);
      // tf's tape runs gradFunc outside any tidy and keeps every tensor made there until the whole backward pass ends:
      // scope it so that only the returned gradients survive.
      return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => grad(dy, saved)) };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return f(...inputs) as T;
}

/** 2-D matMul `a·b` with explicit transposes, so wasm always takes its fast path. */
function mm(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
}

/**
 * `aᵀ·b` for 2-D tensors via explicit transposes: a `[rows, m]`, b `[rows, n]` → `[m, n]`, as `aᵀ·b` or `(bᵀ·a)ᵀ`,
 * whichever transposes fewer values.
 */
function mmT(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  const [rows, m] = (a as tf.Tensor2D).shape, n = (b as tf.Tensor2D).shape[1];
  if (rows * m <= rows * n + m * n) return tf.matMul(tf.transpose(a as tf.Tensor2D), b as tf.Tensor2D);
  return tf.transpose(tf.matMul(tf.transpose(b as tf.Tensor2D), a as tf.Tensor2D));
}

function affine(x: tf.Tensor, wT: tf.Tensor, b: tf.Tensor | null): tf.Tensor2D {
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: wT as tf.Tensor2D, bias: b ?? undefined }) as tf.Tensor2D;
}

// ---------------------------------------------------------------------------------------------------------------------
// Linear

/**
 * A frozen linear map `y = x·wT + b`: `w` `[out, in]` (PyTorch layout), `wT` `[in, out]`, `b` `[out]` or null, and
 * optionally both packed for the wasm kernels (`packed.forward` from wT, `packed.backward` from w; see `packPanels`).
 */
export interface FrozenLinear {
  w: tf.Tensor2D;
  wT: tf.Tensor2D;
  b: tf.Tensor1D | null;
  packed?: { forward: LinearWeight; backward: LinearWeight } | null;
}

/**
 * Packs a frozen linear map (w `[out, in]`) for the wasm kernels when they run here and both widths are multiples of 8,
 * else null.
 */
export function packLinear(w: tf.Tensor2D): { forward: LinearWeight; backward: LinearWeight } | null {
  const [out, inp] = w.shape;
  if (out % 8 !== 0 || inp % 8 !== 0 || !fusedAvailable()) return null;
  return { forward: linearWeight(w, true), backward: linearWeight(w, false) };
}

/** Frozen linear layer: x `[rows, in]` → `[rows, out]`; the gradient reaches `x` only (dx = dy·w). */
export function linearFrozen(x: tf.Tensor2D, p: FrozenLinear): tf.Tensor2D {
  const pk = p.packed;
  if (pk && fusedAvailable()) {
    return custom<tf.Tensor2D>([x], ([xi]) => ({
      value: fusedLinear(xi, pk.forward, p.b, null),
      grad: (dy) => [fusedLinear(dy, pk.backward, null, null)],
    }));
  }
  return custom<tf.Tensor2D>([x], ([xi]) => ({
    value: affine(xi, p.wT, p.b),
    grad: (dy) => [mm(dy, p.w)],
  }));
}

/**
 * Trainable linear layer: x `[rows, in]`, wT `[in, out]`, b `[out]` or null → `[rows, out]`; gradients reach x, wT, b
 * (dx = dy·wTᵀ, dwT = xᵀ·dy, db = Σ_rows dy). `inputGradient: false` (x is data, e.g. image patches) sends none to x
 * and skips its matMul.
 */
export function linearTrainable(
  x: tf.Tensor2D,
  wT: tf.Tensor2D,
  b: tf.Tensor1D | null,
  inputGradient = true,
): tf.Tensor2D {
  if (!inputGradient) {
    const inputs: tf.Tensor[] = b ? [wT, b] : [wT];
    return custom<tf.Tensor2D>(inputs, ([wTi, bi], save) => {
      save([x]); // not an input of the op: saving keeps it alive until the backward pass
      return {
        value: affine(x, wTi, bi ?? null),
        grad: (dy, [xs]) => {
          const dwT = tf.transpose(weightGrad(dy, xs)); // xᵀ·dy `[in, out]`
          return b ? [dwT, tf.sum(dy, 0)] : [dwT];
        },
      };
    });
  }
  const inputs: tf.Tensor[] = b ? [x, wT, b] : [x, wT];
  return custom<tf.Tensor2D>(inputs, ([xi, wTi, bi], save) => {
    save([xi, wTi]);
    return {
      value: affine(xi, wTi, bi ?? null),
      grad: (dy, [xs, wTs]) => {
        const grads: tf.Tensor[] = [mm(dy, tf.transpose(wTs)), mmT(xs, dy)];
        if (b) grads.push(tf.sum(dy, 0));
        return grads;
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Layer norm

function normalise(x: tf.Tensor, eps: number): { xhat: tf.Tensor; rstd: tf.Tensor } {
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps));
  return { xhat: tf.mul(xc, rstd), rstd };
}

function normaliseGrad(dxhat: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor): tf.Tensor {
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, xhat), -1, true);
  return tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xhat, m2)), rstd);
}

/**
 * Layer norm over the last axis: x `[rows, width]`, g, b `[width]` → `[rows, width]` (PyTorch's, eps 1e-5).
 * `trainable` sends gradients to g and b as well as x.
 */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, trainable: boolean, eps = 1e-5): tf.Tensor2D {
  if (!trainable) {
    return custom<tf.Tensor2D>([x], ([xi], save) => {
      const { xhat, rstd } = normalise(xi, eps);
      save([xhat, rstd]);
      return {
        value: tf.add(tf.mul(xhat, g), b) as tf.Tensor2D,
        grad: (dy, [xh, rs]) => [normaliseGrad(tf.mul(dy, g), xh, rs)],
      };
    });
  }
  return custom<tf.Tensor2D>([x, g, b], ([xi, gi, bi], save) => {
    const { xhat, rstd } = normalise(xi, eps);
    save([xhat, rstd, gi]);
    return {
      value: tf.add(tf.mul(xhat, gi), bi) as tf.Tensor2D,
      grad: (dy, [xh, rs, gs]) => [
        normaliseGrad(tf.mul(dy, gs), xh, rs),
        tf.sum(tf.mul(dy, xh), 0),
        tf.sum(dy, 0),
      ],
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// MLP: c_proj(QuickGELU(c_fc(x)))

/** The MLP's weights in PyTorch layout: fcW `[4w, w]`, fcB `[4w]`, projW `[w, 4w]`, projB `[w]`. */
export interface MlpParams {
  fcW: tf.Tensor2D;
  fcB: tf.Tensor1D;
  projW: tf.Tensor2D;
  projB: tf.Tensor1D;
}

/** Transposed copies of a frozen MLP's weights: fcWT `[w, 4w]`, projWT `[4w, w]`. */
export interface MlpPrepared {
  fcWT: tf.Tensor2D;
  projWT: tf.Tensor2D;
}

/** Builds the transposed weights a frozen MLP needs (call once; keep the result). */
export function prepareMlp(p: MlpParams): MlpPrepared {
  return { fcWT: tf.transpose(p.fcW), projWT: tf.transpose(p.projW) };
}

const GELU_K = 1.702;

function mlpForward(x: tf.Tensor, fcWT: tf.Tensor, fcB: tf.Tensor, projWT: tf.Tensor, projB: tf.Tensor) {
  const h = affine(x, fcWT, fcB);
  const s = tf.sigmoid(tf.mul(h, GELU_K));
  const y = affine(tf.mul(h, s), projWT, projB);
  return { h, s, y };
}

/** d(h·σ(kh))/dh = σ·(1 + k·h·(1 − σ)). */
function geluGrad(dg: tf.Tensor, h: tf.Tensor, s: tf.Tensor): tf.Tensor {
  // One [rows, 4w] temporary alive at a time: at ViT-B batch 64 each is 39 MB of a 4 GiB heap.
  let t = tf.sub(1, s);
  let u = tf.mul(t, h);
  t.dispose();
  t = tf.mul(u, GELU_K);
  u.dispose();
  u = tf.add(t, 1);
  t.dispose();
  t = tf.mul(u, s);
  u.dispose();
  u = tf.mul(t, dg);
  t.dispose();
  return u;
}

/** σ(1.702h), with its temporary freed at once. */
function geluSigmoid(h: tf.Tensor): tf.Tensor {
  const hk = tf.mul(h, GELU_K);
  const s = tf.sigmoid(hk);
  hk.dispose();
  return s;
}

/**
 * CLIP's MLP block: x `[rows, w]` → c_proj(QuickGELU(c_fc(x))) `[rows, w]`, QuickGELU(h) = h·σ(1.702h).
 * With `prepared` (frozen) the gradient reaches x only; without, x and every weight in `p`.
 */
export function mlp(x: tf.Tensor2D, p: MlpParams, prepared: MlpPrepared | null): tf.Tensor2D {
  if (prepared) {
    return custom<tf.Tensor2D>([x], ([xi], save) => {
      const { h, y } = mlpForward(xi, prepared.fcWT, p.fcB, prepared.projWT, p.projB);
      save([h]); // σ(1.702h) is recomputed in backward: [rows, 4w] less to hold per block
      return {
        value: y,
        grad: (dy, [hs]) => [mm(geluGrad(mm(dy, p.projW), hs, geluSigmoid(hs)), p.fcW)],
      };
    });
  }
  return custom<tf.Tensor2D>([x, p.fcW, p.fcB, p.projW, p.projB], ([xi, fcW, fcB, projW, projB], save) => {
    const { h, s, y } = mlpForward(xi, tf.transpose(fcW), fcB, tf.transpose(projW), projB);
    save([xi, h, s, fcW, projW]);
    return {
      value: y,
      grad: (dy, [xs, hs, ss, fcWs, projWs]) => {
        const dh = geluGrad(mm(dy, projWs), hs, ss);
        return [mm(dh, fcWs), mmT(dh, xs), tf.sum(dh, 0), mmT(dy, tf.mul(hs, ss)), tf.sum(dy, 0)];
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Multi-head self-attention (PyTorch nn.MultiheadAttention with packed in_proj)

/** Attention weights in PyTorch layout: inW `[3w, w]` (q; k; v rows), inB `[3w]`, outW `[w, w]`, outB `[w]`. */
export interface AttentionParams {
  inW: tf.Tensor2D;
  inB: tf.Tensor1D;
  outW: tf.Tensor2D;
  outB: tf.Tensor1D;
}

/** Transposed copies for the forward pass: qkvT `[w, 3w]` (q | k | v columns), qkvB `[3w]`, outWT `[w, w]`. */
export interface AttentionPrepared {
  qkvT: tf.Tensor2D;
  qkvB: tf.Tensor1D;
  outWT: tf.Tensor2D;
}

/** Builds the transposed weights attention's forward pass uses (frozen: call once and keep). */
export function prepareAttention(p: AttentionParams): AttentionPrepared {
  const w = p.outW.shape[0];
  if (p.inW.shape[0] !== 3 * w || p.inW.shape[1] !== w) {
    throw new Error(`Cannot prepare attention: in_proj_weight [${p.inW.shape.join(", ")}] for width ${w}`);
  }
  return { qkvT: tf.transpose(p.inW), qkvB: p.inB, outWT: tf.transpose(p.outW) };
}

/** Layout of an attention call: rows = batch · tokens; `mask` `[tokens, tokens]` is added to the scores (or null). */
export interface AttentionShape {
  batch: number;
  tokens: number;
  heads: number;
  mask: tf.Tensor2D | null;
}

/** `[B·T, H·d]` → `[B·H, T, d]`. */
function toHeads(x: tf.Tensor, s: AttentionShape, d: number): tf.Tensor3D {
  return tf.reshape(tf.transpose(tf.reshape(x, [s.batch, s.tokens, s.heads, d]), [0, 2, 1, 3]), [
    s.batch * s.heads,
    s.tokens,
    d,
  ]);
}

/** `[B·H, T, d]` → `[B·T, H·d]`. */
function fromHeads(x: tf.Tensor, s: AttentionShape, d: number): tf.Tensor2D {
  return tf.reshape(tf.transpose(tf.reshape(x, [s.batch, s.heads, s.tokens, d]), [0, 2, 1, 3]), [
    s.batch * s.tokens,
    s.heads * d,
  ]);
}

function attentionForward(x: tf.Tensor, pr: AttentionPrepared, outB: tf.Tensor, s: AttentionShape) {
  const w = pr.outWT.shape[0];
  const d = w / s.heads;
  const [qx, kx, vx] = tf.split(affine(x, pr.qkvT, pr.qkvB), 3, 1); // [B·T, w] each
  const qh = toHeads(tf.mul(qx, 1 / Math.sqrt(d)), s, d); // [B·H, T, d], scaled by d^-½
  const kh = tf.reshape(tf.transpose(tf.reshape(kx, [s.batch, s.tokens, s.heads, d]), [0, 2, 3, 1]), [
    s.batch * s.heads,
    d,
    s.tokens,
  ]); // [B·H, d, T]
  const vh = toHeads(vx, s, d); // [B·H, T, d]
  let scores: tf.Tensor = tf.matMul(qh, kh); // [B·H, T, T]
  if (s.mask) scores = tf.add(scores, s.mask);
  const p = tf.softmax(scores);
  const o = fromHeads(tf.matMul(p, vh), s, d); // [B·T, w]
  return { qh, kh, vh, p, o, y: affine(o, pr.outWT, outB) };
}

function attentionBackward(
  dy: tf.Tensor,
  saved: { qh: tf.Tensor; kh: tf.Tensor; vh: tf.Tensor; p: tf.Tensor },
  inW: tf.Tensor,
  outW: tf.Tensor,
  s: AttentionShape,
) {
  const w = outW.shape[0];
  const d = w / s.heads;
  const tr = [0, 2, 1];
  const doh = toHeads(mm(dy, outW), s, d); // [B·H, T, d]
  const dp = tf.matMul(doh, tf.transpose(saved.vh, tr)); // [B·H, T, T]
  const dvh = tf.matMul(tf.transpose(saved.p, tr), doh); // [B·H, T, d]
  const ds = tf.mul(saved.p, tf.sub(dp, tf.sum(tf.mul(dp, saved.p), -1, true)));
  const dqh = tf.mul(tf.matMul(ds, tf.transpose(saved.kh, tr)), 1 / Math.sqrt(d)); // [B·H, T, d]
  const dkh = tf.matMul(tf.transpose(saved.qh, tr), ds); // [B·H, d, T]
  const dk = tf.reshape(tf.transpose(tf.reshape(dkh, [s.batch, s.heads, d, s.tokens]), [0, 3, 1, 2]), [
    s.batch * s.tokens,
    w,
  ]);
  const dqkv = tf.concat([fromHeads(dqh, s, d), dk, fromHeads(dvh, s, d)], 1); // [B·T, 3w]
  return { dqkv, dx: mm(dqkv, inW) };
}

/**
 * Multi-head self-attention as in `nn.MultiheadAttention(x, x, x, attn_mask=mask)`: x `[B·T, w]` → `[B·T, w]`,
 * heads of size w / heads, scores scaled by d^−½, `shape.mask` (e.g. causal, −∞ above the diagonal) added before softmax.
 * With `prepared` (frozen) the gradient reaches x only; without, x and every weight in `p`.
 */
export function attention(
  x: tf.Tensor2D,
  p: AttentionParams,
  prepared: AttentionPrepared | null,
  shape: AttentionShape,
): tf.Tensor2D {
  if (prepared) {
    return custom<tf.Tensor2D>([x], ([xi], save) => {
      const f = attentionForward(xi, prepared, p.outB, shape);
      save([f.qh, f.kh, f.vh, f.p]);
      return {
        value: f.y,
        grad: (dy, [qh, kh, vh, pr]) => [attentionBackward(dy, { qh, kh, vh, p: pr }, p.inW, p.outW, shape).dx],
      };
    });
  }
  return custom<tf.Tensor2D>([x, p.inW, p.inB, p.outW, p.outB], ([xi, inW, inB, outW, outB], save) => {
    const pr = prepareAttention({ inW, inB, outW, outB } as AttentionParams);
    const f = attentionForward(xi, pr, outB, shape);
    save([f.qh, f.kh, f.vh, f.p, xi, f.o, inW, outW]);
    return {
      value: f.y,
      grad: (dy, [qh, kh, vh, ps, xs, o, inWs, outWs]) => {
        const { dqkv, dx } = attentionBackward(dy, { qh, kh, vh, p: ps }, inWs, outWs, shape);
        return [dx, mmT(dqkv, xs), tf.sum(dqkv, 0), mmT(dy, o), tf.sum(dy, 0)];
      },
    };
  });
}

/** The additive causal mask `[n, n]`: 0 on and below the diagonal, −∞ above (OpenAI's `build_attention_mask`). */
export function causalMask(n: number): tf.Tensor2D {
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = -Infinity;
  return tf.tensor2d(data, [n, n]);
}

// ---------------------------------------------------------------------------------------------------------------------
// The whole pre-LN residual block as one op

/** One block's weights in PyTorch layout (OpenAI `ResidualAttentionBlock`). */
export interface BlockParams {
  ln1G: tf.Tensor1D;
  ln1B: tf.Tensor1D;
  attn: AttentionParams;
  ln2G: tf.Tensor1D;
  ln2B: tf.Tensor1D;
  mlp: MlpParams;
}

/** A frozen block's weights for the wasm kernels' linear layer, forward (x·Wᵀ) and backward (dy·W). */
export interface PackedBlock {
  qkv: LinearWeight;
  out: LinearWeight;
  fc: LinearWeight;
  proj: LinearWeight;
  qkvBack: LinearWeight;
  outBack: LinearWeight;
  fcBack: LinearWeight;
  projBack: LinearWeight;
}

/**
 * A frozen block's prepared copies: transposed weights for the plain-op path (`attn`, `mlp`, built on the fly when
 * null) and packed weights for the wasm kernels (`packed`, or null where they do not run).
 */
export interface BlockPrepared {
  attn: AttentionPrepared | null;
  mlp: MlpPrepared | null;
  packed: PackedBlock | null;
}

/** Packs a block's weights for the wasm kernels (call once per frozen block; keep the `packed` tensors). */
export function packBlock(p: BlockParams): PackedBlock {
  const pair = (m: tf.Tensor2D) => [linearWeight(m, true), linearWeight(m, false)];
  const [qkv, qkvBack] = pair(p.attn.inW), [out, outBack] = pair(p.attn.outW);
  const [fc, fcBack] = pair(p.mlp.fcW), [proj, projBack] = pair(p.mlp.projW);
  return { qkv, out, fc, proj, qkvBack, outBack, fcBack, projBack };
}

/**
 * Prepares a frozen block: packed weights when the wasm kernels run here (`fusedAvailable()` and shapes that fit),
 * else transposed copies for the plain-op path.
 */
export function prepareBlock(p: BlockParams, heads: number): BlockPrepared {
  const w = p.attn.outW.shape[0];
  if (fusedFits(w, heads) && fusedAvailable()) return { attn: null, mlp: null, packed: packBlock(p) };
  return { attn: prepareAttention(p.attn), mlp: prepareMlp(p.mlp), packed: null };
}

/** Whether a width and head count suit the wasm kernels (heads of a multiple of 8 columns). */
function fusedFits(width: number, heads: number): boolean {
  return width % heads === 0 && (width / heads) % 8 === 0;
}

const LN_EPS = 1e-5;

function blockForward(
  x: tf.Tensor,
  p: BlockParams,
  pr: { attn: AttentionPrepared; mlp: MlpPrepared },
  shape: AttentionShape,
) {
  const n1 = normalise(x, LN_EPS);
  const u = tf.add(tf.mul(n1.xhat, p.ln1G), p.ln1B);
  const at = attentionForward(u, pr.attn, p.attn.outB, shape);
  const a = tf.add(x, at.y);
  const n2 = normalise(a, LN_EPS);
  const v = tf.add(tf.mul(n2.xhat, p.ln2G), p.ln2B);
  const m = mlpForward(v, pr.mlp.fcWT, p.mlp.fcB, pr.mlp.projWT, p.mlp.projB);
  return { n1, u, at, n2, v, m, y: tf.add(a, m.y) as tf.Tensor2D };
}

/** What a block's backward pass needs (the rest is recomputed or not needed). */
interface BlockSaved {
  xhat1: tf.Tensor;
  rstd1: tf.Tensor;
  qh: tf.Tensor;
  kh: tf.Tensor;
  vh: tf.Tensor;
  p: tf.Tensor;
  xhat2: tf.Tensor;
  rstd2: tf.Tensor;
  h: tf.Tensor;
}

function blockBackward(dy: tf.Tensor, s: BlockSaved, p: BlockParams, shape: AttentionShape, trainable: boolean) {
  const sig = geluSigmoid(s.h);
  const dg = mm(dy, p.mlp.projW); // [rows, 4w]
  const dh = geluGrad(dg, s.h, sig); // [rows, 4w]
  dg.dispose();
  const dv = mm(dh, p.mlp.fcW); // [rows, w]
  const da = tf.add(dy, normaliseGrad(tf.mul(dv, p.ln2G), s.xhat2, s.rstd2));
  if (!trainable) tf.dispose([sig, dh]);
  const { dqkv, dx: du } = attentionBackward(da, s, p.attn.inW, p.attn.outW, shape);
  const dx = tf.add(da, normaliseGrad(tf.mul(du, p.ln1G), s.xhat1, s.rstd1));
  if (!trainable) return { dx, params: [] as tf.Tensor[] };
  // Weight gradients, in the order of blockInputs' parameters.
  const u = tf.add(tf.mul(s.xhat1, p.ln1G), p.ln1B);
  const v = tf.add(tf.mul(s.xhat2, p.ln2G), p.ln2B);
  const o = fromHeads(tf.matMul(s.p, s.vh), shape, p.attn.outW.shape[0] / shape.heads);
  const params = [
    tf.sum(tf.mul(du, s.xhat1), 0), // ln_1.weight
    tf.sum(du, 0), // ln_1.bias
    mmT(dqkv, u), // in_proj_weight
    tf.sum(dqkv, 0), // in_proj_bias
    mmT(da, o), // out_proj.weight
    tf.sum(da, 0), // out_proj.bias
    tf.sum(tf.mul(dv, s.xhat2), 0), // ln_2.weight
    tf.sum(dv, 0), // ln_2.bias
    mmT(dh, v), // c_fc.weight
    tf.sum(dh, 0), // c_fc.bias
    mmT(dy, tf.mul(s.h, sig)), // c_proj.weight
    tf.sum(dy, 0), // c_proj.bias
  ];
  return { dx, params };
}

function blockParamList(p: BlockParams): tf.Tensor[] {
  return [
    p.ln1G,
    p.ln1B,
    p.attn.inW,
    p.attn.inB,
    p.attn.outW,
    p.attn.outB,
    p.ln2G,
    p.ln2B,
    p.mlp.fcW,
    p.mlp.fcB,
    p.mlp.projW,
    p.mlp.projB,
  ];
}

function blockFromList(l: tf.Tensor[]): BlockParams {
  const [ln1G, ln1B, inW, inB, outW, outB, ln2G, ln2B, fcW, fcB, projW, projB] = l;
  return {
    ln1G,
    ln1B,
    attn: { inW, inB, outW, outB },
    ln2G,
    ln2B,
    mlp: { fcW, fcB, projW, projB },
  } as BlockParams;
}

/**
 * A frozen block on the engine's wasm kernels: layer norms, attention (softmax, both products, no head transposes)
 * and QuickGELU each one kernel, the four projections plain 2-D matMuls (XNNPACK). Saves x, a (the residual stream
 * after attention), both norms' statistics, qkv, the attention probabilities and the MLP pre-activation; the backward
 * pass computes the input gradient only (four matMuls against the PyTorch-layout weights, no weight gradients).
 */
function fusedFrozenBlock(x: tf.Tensor2D, p: BlockParams, pk: PackedBlock, shape: AttentionShape): tf.Tensor2D {
  const w = x.shape[1];
  const fs = { batch: shape.batch, tokens: shape.tokens, heads: shape.heads, width: w };
  return custom<tf.Tensor2D>([x], ([xi], save) => {
    const n1 = fusedLayerNorm(xi, p.ln1G, p.ln1B);
    const qkv = fusedLinear(n1.y, pk.qkv, p.attn.inB, null); // [B·T, 3w]
    n1.y.dispose();
    const at = fusedAttention(qkv, shape.mask, fs); // o [B·T, w], p [B·H, T, Tp]
    const a = fusedLinear(at.o, pk.out, p.attn.outB, xi); // x + attn
    at.o.dispose();
    const n2 = fusedLayerNorm(a, p.ln2G, p.ln2B);
    const h = fusedLinear(n2.y, pk.fc, p.mlp.fcB, null); // [B·T, 4w]
    n2.y.dispose();
    const g = fusedGelu(h);
    const y = fusedLinear(g, pk.proj, p.mlp.projB, a); // a + mlp
    g.dispose();
    save([xi, n1.stats, qkv, at.p, a, n2.stats, h]);
    return {
      value: y,
      grad: (dy, [xs, s1, qkvs, ps, as, s2, hs]) => {
        const dg = fusedLinear(dy, pk.projBack, null, null); // [B·T, 4w]
        const dh = fusedGeluGrad(hs, dg);
        dg.dispose();
        const dv = fusedLinear(dh, pk.fcBack, null, null);
        dh.dispose();
        const da = fusedLayerNormGrad(as, s2, p.ln2G, dv, dy); // dy + ∂ln_2
        dv.dispose();
        const dO = fusedLinear(da, pk.outBack, null, null);
        const dqkv = fusedAttentionGrad(qkvs as tf.Tensor2D, ps as tf.Tensor3D, dO, fs); // [B·T, 3w]
        dO.dispose();
        const du = fusedLinear(dqkv, pk.qkvBack, null, null);
        dqkv.dispose();
        return [fusedLayerNormGrad(xs, s1, p.ln1G, du, da)]; // da + ∂ln_1
      },
    };
  });
}

/**
 * A weight gradient in PyTorch layout: dy `[rows, out]`, x `[rows, in]` → dyᵀ·x `[out, in]`; on the engine's linear
 * kernel (x packed in panels as the right-hand factor) when it runs here and `in` is a multiple of 8.
 */
function weightGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor2D {
  const dyT = tf.transpose(dy as tf.Tensor2D);
  if ((x as tf.Tensor2D).shape[1] % 8 !== 0 || !fusedAvailable()) return mm(dyT, x);
  const packed = linearWeight(x as tf.Tensor2D, false);
  const g = fusedLinear(dyT, packed, null, null);
  packed.packed.dispose();
  dyT.dispose();
  return g;
}

/** The normalised input of a layer norm from its statistics: x `[rows, w]`, stats `[rows, 2]` (mean, 1/std). */
function normalisedFromStats(x: tf.Tensor, stats: tf.Tensor): tf.Tensor {
  const [mean, rstd] = tf.split(stats, 2, 1);
  return tf.mul(tf.sub(x, mean), rstd);
}

/** The forward packings of a block's four projections (y = x·Wᵀ), made from the weights' current values. */
function packForward(p: BlockParams): LinearWeight[] {
  return [p.attn.inW, p.attn.outW, p.mlp.fcW, p.mlp.projW].map((m) => linearWeight(m, true));
}

/**
 * A trainable block on the engine's wasm kernels: the frozen block's seven forward kernels, with the four weights
 * packed from their current values at each call, and a backward pass that adds the weight gradients (dyᵀ·x, one plain
 * 2-D matMul each; the layer-norm inputs and the QuickGELU output are recomputed from what the forward pass saved).
 * Gradients reach x and every parameter, in {@link blockParamList}'s order.
 */
function fusedTrainableBlock(x: tf.Tensor2D, p: BlockParams, shape: AttentionShape): tf.Tensor2D {
  const w = x.shape[1];
  const fs = { batch: shape.batch, tokens: shape.tokens, heads: shape.heads, width: w };
  return custom<tf.Tensor2D>([x, ...blockParamList(p)], ([xi, ...list], save) => {
    const q = blockFromList(list);
    const [qkvW, outW, fcW, projW] = packForward(q);
    const n1 = fusedLayerNorm(xi, q.ln1G, q.ln1B);
    const qkv = fusedLinear(n1.y, qkvW, q.attn.inB, null); // [B·T, 3w]
    n1.y.dispose();
    const at = fusedAttention(qkv, shape.mask, fs); // o [B·T, w], p [B·H, T, Tp]
    const a = fusedLinear(at.o, outW, q.attn.outB, xi); // x + attn
    const n2 = fusedLayerNorm(a, q.ln2G, q.ln2B);
    const h = fusedLinear(n2.y, fcW, q.mlp.fcB, null); // [B·T, 4w]
    n2.y.dispose();
    const g = fusedGelu(h);
    const y = fusedLinear(g, projW, q.mlp.projB, a); // a + mlp
    g.dispose();
    for (const l of [qkvW, outW, fcW, projW]) l.packed.dispose();
    save([xi, n1.stats, qkv, at.p, at.o, a, n2.stats, h, ...list]);
    return {
      value: y,
      grad: (dy, saved) => {
        const [xs, s1, qkvs, ps, os, as, s2, hs] = saved;
        const r = blockFromList(saved.slice(8));
        const back = [r.attn.inW, r.attn.outW, r.mlp.fcW, r.mlp.projW].map((m) => linearWeight(m, false));
        const [qkvBack, outBack, fcBack, projBack] = back;
        const dg = fusedLinear(dy, projBack, null, null); // [B·T, 4w]
        const dh = fusedGeluGrad(hs, dg);
        dg.dispose();
        const dv = fusedLinear(dh, fcBack, null, null); // ∂ ln_2 output
        const da = fusedLayerNormGrad(as, s2, r.ln2G, dv, dy); // dy + ∂ln_2
        const dO = fusedLinear(da, outBack, null, null);
        const dqkv = fusedAttentionGrad(qkvs as tf.Tensor2D, ps as tf.Tensor3D, dO, fs); // [B·T, 3w]
        dO.dispose();
        const du = fusedLinear(dqkv, qkvBack, null, null); // ∂ ln_1 output
        const dx = fusedLayerNormGrad(xs, s1, r.ln1G, du, da); // da + ∂ln_1
        for (const l of back) l.packed.dispose();
        const u = fusedLayerNorm(xs, r.ln1G, r.ln1B);
        const v = fusedLayerNorm(as, r.ln2G, r.ln2B);
        const params = [
          tf.sum(tf.mul(du, normalisedFromStats(xs, s1)), 0), // ln_1.weight
          tf.sum(du, 0), // ln_1.bias
          weightGrad(dqkv, u.y), // in_proj_weight
          tf.sum(dqkv, 0), // in_proj_bias
          weightGrad(da, os), // out_proj.weight
          tf.sum(da, 0), // out_proj.bias
          tf.sum(tf.mul(dv, normalisedFromStats(as, s2)), 0), // ln_2.weight
          tf.sum(dv, 0), // ln_2.bias
          weightGrad(dh, v.y), // c_fc.weight
          tf.sum(dh, 0), // c_fc.bias
          weightGrad(dy, fusedGelu(hs)), // c_proj.weight
          tf.sum(dy, 0), // c_proj.bias
        ];
        return [dx, ...params];
      },
    };
  });
}

/**
 * A whole pre-LN residual block as one custom-gradient op: x `[B·T, w]` → `x' = x + attn(ln_1(x))`,
 * `x' + mlp(ln_2(x'))` `[B·T, w]`. One tape node per block keeps backward memory to what the block saves
 * (normalised inputs, q/k/v, attention weights, MLP pre-activations) instead of every intermediate gradient.
 * With `prepared` (frozen) the gradient reaches x only; without, x and every weight in `p`.
 */
export function transformerBlock(
  x: tf.Tensor2D,
  p: BlockParams,
  prepared: BlockPrepared | null,
  shape: AttentionShape,
): tf.Tensor2D {
  const keep = (f: ReturnType<typeof blockForward>) => [
    f.n1.xhat,
    f.n1.rstd,
    f.at.qh,
    f.at.kh,
    f.at.vh,
    f.at.p,
    f.n2.xhat,
    f.n2.rstd,
    f.m.h,
  ];
  const unpack = (saved: tf.Tensor[]): BlockSaved => {
    const [xhat1, rstd1, qh, kh, vh, pr, xhat2, rstd2, h] = saved;
    return { xhat1, rstd1, qh, kh, vh, p: pr, xhat2, rstd2, h };
  };
  if (prepared?.packed && fusedFits(x.shape[1], shape.heads) && fusedAvailable()) {
    return fusedFrozenBlock(x, p, prepared.packed, shape);
  }
  if (!prepared && fusedFits(x.shape[1], shape.heads) && fusedAvailable()) return fusedTrainableBlock(x, p, shape);
  if (prepared) {
    const pr = {
      attn: prepared.attn ?? prepareAttention(p.attn),
      mlp: prepared.mlp ?? prepareMlp(p.mlp),
    };
    return custom<tf.Tensor2D>([x], ([xi], save) => {
      const f = blockForward(xi, p, pr, shape);
      save(keep(f));
      return { value: f.y, grad: (dy, saved) => [blockBackward(dy, unpack(saved), p, shape, false).dx] };
    });
  }
  return custom<tf.Tensor2D>([x, ...blockParamList(p)], ([xi, ...list], save) => {
    const params = blockFromList(list);
    const pr = { attn: prepareAttention(params.attn), mlp: prepareMlp(params.mlp) };
    const f = blockForward(xi, params, pr, shape);
    save([...keep(f), ...list]);
    return {
      value: f.y,
      grad: (dy, saved) => {
        const b = blockBackward(dy, unpack(saved.slice(0, 9)), blockFromList(saved.slice(9)), shape, true);
        return [b.dx, ...b.params];
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Row selection

/**
 * Rows `index` of x: x `[rows, w]` → `[k, w]`. Differentiable on every backend: the gradient is a `scatterND` (which
 * sums repeated rows), not gather's UnsortedSegmentSum, which wasm lacks. Serves embedding lookups on a trained table
 * and the CLS / EOT selections.
 */
export function gatherRows(x: tf.Tensor2D, index: readonly number[]): tf.Tensor2D {
  const [rows, width] = x.shape;
  for (const i of index) {
    if (!Number.isInteger(i) || i < 0 || i >= rows) throw new RangeError(`Cannot gather row ${i}: x has ${rows} rows`);
  }
  return custom<tf.Tensor2D>([x], ([xi], save) => {
    const idx = tf.tensor1d(Int32Array.from(index), "int32");
    save([idx]);
    return {
      value: tf.gather(xi as tf.Tensor2D, idx),
      grad: (dy, [ids]) => [tf.scatterND(tf.reshape(ids, [index.length, 1]), dy, [rows, width])],
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Patches

/**
 * Cuts images into flattened patches for a conv-free patch embedding: pixels `[B, g·p, g·p, C]` →
 * `[B·g², p·p·C]`, rows in raster order (row-major over the patch grid), each patch flattened as (ky, kx, c).
 */
export function patchify(pixels: tf.Tensor4D, patch: number): tf.Tensor2D {
  const [b, h, w, c] = pixels.shape;
  const g = h / patch;
  if (!Number.isInteger(g) || w !== h) {
    throw new RangeError(
      `Cannot patchify images of ${h}×${w}: side must be a multiple of the patch ${patch} and square`,
    );
  }
  return tf.tidy(() => {
    const x = tf.reshape(pixels, [b * g, patch, g, patch * c]); // [B·gy, ky, gx, kx·c]
    return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b * g * g, patch * patch * c]); // [B·gy·gx, ky·kx·c]
  });
}

/** conv1.weight `[out, C, p, p]` (PyTorch) → `[out, p·p·C]` matching {@link patchify}'s (ky, kx, c) order. */
export function convWeightToMatrix(w: tf.Tensor4D): tf.Tensor2D {
  const [out, c, p] = w.shape;
  return tf.reshape(tf.transpose(w, [0, 2, 3, 1]), [out, p * p * c]);
}
