/**
 * The CLIP engine's own WebAssembly SIMD kernels, generated with {@link assemble}: fused multi-head attention (forward
 * and input gradient), fused layer norm (forward and input gradient, with the residual added) and fused QuickGELU
 * (forward and gradient). They run on the memory of tfjs' wasm backend (no copies): every pointer is a byte offset
 * into it, every tensor fp32 and row-major.
 *
 * Attention works on the packed projection `qkv` `[B·T, 3w]` (q | k | v, heads of d = w / H columns each) and writes
 * its output `[B·T, w]` in the layout the output projection multiplies, so no transposes are needed; the softmax
 * probabilities `P` `[B·H, T, Tp]` (Tp = T rounded up to 8, padding columns 0) are kept for the backward pass.
 * Matrix products inside attention use a 4×8 register-tiled kernel (splat a, two vector loads of b, eight
 * multiply-adds per k) with relaxed-SIMD fused multiply-add where the engine has it.
 * @module
 */
import {
  assemble,
  block,
  code,
  F32,
  forLoop,
  FunctionBuilder,
  type FunctionDef,
  I32,
  ifThen,
  op,
  V128,
} from "./asm.ts";

/** Export names and parameter lists of the kernels (all i32 byte offsets or counts, except the f32 `scale`). */
export const KERNELS = {
  /** C[M, N] = A·B; A(i, k) at A + 4(i·sai + k·sak), B(k, n) at B + 4(k·ldb + n), C(i, n) at C + 4(i·ldc + n); N % 8 = 0. */
  gemm: ["A", "sai", "sak", "B", "ldb", "C", "ldc", "M", "N", "K"],
  /** Attention forward: qkv `[B·T, 3w]`, mask `[T, T]` or 0, scratch ≥ d·Tp floats → O `[B·T, w]`, P `[B·H, T, Tp]`. */
  attnForward: ["qkv", "O", "P", "mask", "scratch", "B", "H", "T", "d", "Tp", "scale"],
  /** Attention backward: qkv, P, dO `[B·T, w]`, scratch ≥ (d + T)·Tp floats → dqkv `[B·T, 3w]`. */
  attnBackward: ["qkv", "P", "dO", "dqkv", "scratch", "B", "H", "T", "d", "Tp", "scale"],
  /**
   * Linear layer on pre-packed weights: C[M, 8·(p1 − p0)] columns 8·p0… = A·B + bias + R, B packed in panels
   * `[N/8][K][8]` (see `packPanels`), bias `[N]` or 0, R (residual, row stride ldc) or 0; rows blocked by mc and
   * packed into Ap (scratch of ⌈mc/6⌉·6·K floats) once per block.
   */
  linear: ["A", "lda", "Bp", "bias", "R", "C", "ldc", "M", "K", "p0", "p1", "mc", "Ap"],
  /** C[M, N] = bias (broadcast over rows; 0 for none) + R[M, N] (0 for none), N % 4 = 0: a GEMM's starting value. */
  fillRows: ["C", "bias", "R", "M", "N"],
  /** QuickGELU: out = h·σ(1.702h), n elements (n % 4 = 0). */
  geluForward: ["h", "out", "n"],
  /** QuickGELU gradient: dh = dg·σ(kh)·(1 + kh·(1 − σ(kh))), k = 1.702. */
  geluBackward: ["h", "dg", "dh", "n"],
  /** Layer norm over rows of w (w % 4 = 0), eps 1e-5: y = (x − μ)·rstd·g + b; stats `[rows, 2]` = (μ, rstd). */
  lnForward: ["x", "g", "b", "y", "stats", "rows", "w"],
  /** Layer-norm input gradient plus a residual: dx = dres + rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)); dres 0: none. */
  lnBackward: ["x", "stats", "g", "dy", "dres", "dx", "rows", "w"],
} as const;

/** The kernels' names. */
export type KernelName = keyof typeof KERNELS;

const GELU_K = 1.702;
const LN_EPS = 1e-5;

/** Multiply-add `a·b + c` on v128 operands given as instruction lists. */
type Madd = (a: readonly number[], b: readonly number[], c: readonly number[]) => number[];

function maddFor(relaxed: boolean): Madd {
  return relaxed
    ? (a, b, c) => code(a, b, c, op.f32x4RelaxedMadd)
    : (a, b, c) => code(a, b, op.f32x4Mul, c, op.f32x4Add);
}

const splat = (x: number) => code(op.f32(x), op.f32x4Splat);
const get = op.localGet;
const set = op.localSet;
/** `local += n` for an i32 local. */
const addTo = (l: number, n: readonly number[]) => code(get(l), n, op.i32Add, set(l));
/** Byte offset `4·(a·b)` of two i32 locals or instruction lists. */
const bytes = (...parts: (readonly number[])[]) => code(...parts, op.i32(2), op.i32Shl);

/**
 * e^x for the v128 in local `x` (4 lanes): range reduction x = n·ln 2 + r, degree-6 polynomial in r, 2ⁿ by exponent
 * bits; relative error about 1e-7 (≈ 2 ulp); x < −87.3 gives 0. Leaves the result on the stack; uses `t`, `n` (v128).
 */
function expV(x: number, t: number, n: number): number[] {
  const c = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1];
  // t = clamp(x), n = nearest(t·log2 e), t = t − n·ln2_hi − n·ln2_lo (r)
  let poly = code(splat(c[0]));
  for (let i = 1; i < c.length; i++) poly = code(poly, get(t), op.f32x4Mul, splat(c[i]), op.f32x4Add);
  return code(
    get(x),
    splat(88),
    op.f32x4Min,
    splat(-87.3),
    op.f32x4Max,
    set(t),
    get(t),
    splat(Math.LOG2E),
    op.f32x4Mul,
    op.f32x4Nearest,
    set(n),
    get(t),
    get(n),
    splat(0.693359375),
    op.f32x4Mul,
    op.f32x4Sub,
    get(n),
    splat(-2.12194440e-4),
    op.f32x4Mul,
    op.f32x4Sub,
    set(t),
    poly,
    // 2ⁿ: (n + 127) << 23 as float bits
    get(n),
    op.i32x4TruncSatF32x4S,
    op.i32(127),
    op.i32x4Splat,
    op.i32x4Add,
    op.i32(23),
    op.i32x4Shl,
    op.f32x4Mul,
    // zero below the range
    get(x),
    splat(-87.3),
    op.f32x4Ge,
    op.v128And,
  );
}

/** Horizontal sum (or max) of the v128 in local `v`, leaving an f32. */
function hreduce(v: number, combine: readonly number[]): number[] {
  return code(
    get(v),
    op.f32x4ExtractLane(0),
    get(v),
    op.f32x4ExtractLane(1),
    combine,
    get(v),
    op.f32x4ExtractLane(2),
    combine,
    get(v),
    op.f32x4ExtractLane(3),
    combine,
  );
}

function gemm(madd: Madd): FunctionDef {
  const f = new FunctionBuilder(Array(10).fill(I32));
  const [A, sai, sak, B, ldb, C, ldc, M, N, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [i, n, k, pb, pc] = f.many(I32, 5);
  const pa = f.many(I32, 4);
  const acc = f.many(V128, 8);
  const [av, b0, b1] = f.many(V128, 3);
  // strides to bytes
  const toBytes = [sai, sak, ldb, ldc].map((l) => code(get(l), op.i32(2), op.i32Shl, set(l)));

  const tile = (mr: number) =>
    forLoop(
      n,
      op.i32(0),
      get(N),
      op.i32(8),
      // pa[r] = A + (i + r)·sai, pb = B + 4n
      ...Array.from({ length: mr }, (_, r) =>
        code(get(A), get(i), op.i32(r), op.i32Add, get(sai), op.i32Mul, op.i32Add, set(pa[r]))),
      code(get(B), bytes(get(n)), op.i32Add, set(pb)),
      ...Array.from({ length: 2 * mr }, (_, a) =>
        code(splat(0), set(acc[a]))),
      forLoop(
        k,
        op.i32(0),
        get(K),
        op.i32(1),
        code(get(pb), op.v128Load(0), set(b0), get(pb), op.v128Load(16), set(b1)),
        ...Array.from({ length: mr }, (_, r) =>
          code(
            get(pa[r]),
            op.v128Load32Splat(0),
            set(av),
            madd(get(av), get(b0), get(acc[2 * r])),
            set(acc[2 * r]),
            madd(get(av), get(b1), get(acc[2 * r + 1])),
            set(acc[2 * r + 1]),
            addTo(pa[r], get(sak)),
          )),
        addTo(pb, get(ldb)),
      ),
      ...Array.from({ length: mr }, (_, r) =>
        code(
          // pc = C + (i + r)·ldc + 4n
          get(C),
          get(i),
          op.i32(r),
          op.i32Add,
          get(ldc),
          op.i32Mul,
          op.i32Add,
          bytes(get(n)),
          op.i32Add,
          set(pc),
          get(pc),
          get(acc[2 * r]),
          op.v128Store(0),
          get(pc),
          get(acc[2 * r + 1]),
          op.v128Store(16),
        )),
    );
  const body = code(
    ...toBytes,
    forLoop(i, op.i32(0), code(get(M), op.i32(3), op.i32Sub), op.i32(4), tile(4)),
    forLoop(i, get(i), get(M), op.i32(1), tile(1)),
  );
  return f.build(body, "gemm");
}

/**
 * Packs rows of A for the panel kernel: `M` rows of `K` floats (row stride lda) → Ap `[⌈M/mr⌉][K][mr]` (tile t, k,
 * row r at ((t·K + k)·mr + r)), rows past M zero.
 */
function packRowsKernel(mr: number): FunctionDef {
  const f = new FunctionBuilder(Array(5).fill(I32));
  const [A, lda, Ap, M, K] = [0, 1, 2, 3, 4];
  const [t, k, r, row, dst, tiles] = f.many(I32, 6);
  const val = f.local(F32);
  const body = code(
    get(M),
    op.i32(mr - 1),
    op.i32Add,
    op.i32(mr),
    [0x6d], // i32.div_s
    set(tiles),
    get(Ap),
    set(dst),
    forLoop(
      t,
      op.i32(0),
      get(tiles),
      op.i32(1),
      forLoop(
        k,
        op.i32(0),
        get(K),
        op.i32(1),
        forLoop(
          r,
          op.i32(0),
          op.i32(mr),
          op.i32(1),
          get(t),
          op.i32(mr),
          op.i32Mul,
          get(r),
          op.i32Add,
          set(row),
          op.f32(0),
          set(val),
          ifThen(
            code(get(row), get(M), op.i32LtS),
            get(A),
            bytes(get(row), get(lda), op.i32Mul, get(k), op.i32Add),
            op.i32Add,
            op.f32Load(),
            set(val),
          ),
          get(dst),
          get(val),
          op.f32Store(),
          addTo(dst, op.i32(4)),
        ),
      ),
    ),
  );
  return f.build(body, null);
}

/**
 * One panel of 8 output columns: C[M, 8] = A·Bpanel (+ bias[8]) (+ R[M, 8]), A packed by {@link packRowsKernel} in
 * tiles of mr rows, Bpanel `[K][8]`, C and R rows of stride ldc floats. Per k: two vector loads of b, mr splats of a,
 * 2·mr multiply-adds (12 accumulators at mr = 6); k unrolled by `unroll`.
 */
function panelKernel(madd: Madd, mr: number, unroll: number): FunctionDef {
  // params: Ap, Bp, bias, R, C, ldc, M, K
  const f = new FunctionBuilder(Array(8).fill(I32));
  const [Ap, Bp, bias, R, C, ldc, M, K] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [t, pa, pb, end, valid, row] = f.many(I32, 6);
  const acc = f.many(V128, 2 * mr);
  const [av, b0, b1, bv0, bv1] = f.many(V128, 5);
  const rowPtr = (base: number, r: number) =>
    code(
      get(base),
      get(t),
      op.i32(mr),
      op.i32Mul,
      op.i32(r),
      op.i32Add,
      get(ldc),
      op.i32Mul,
      op.i32(2),
      op.i32Shl,
      op.i32Add,
    );
  const step = (k: number) =>
    code(
      get(pb),
      op.v128Load(32 * k),
      set(b0),
      get(pb),
      op.v128Load(32 * k + 16),
      set(b1),
      ...Array.from({ length: mr }, (_, r) =>
        code(
          get(pa),
          op.v128Load32Splat(4 * (k * mr + r)),
          set(av),
          madd(get(av), get(b0), get(acc[2 * r])),
          set(acc[2 * r]),
          madd(get(av), get(b1), get(acc[2 * r + 1])),
          set(acc[2 * r + 1]),
        )),
    );
  const body = code(
    code(splat(0), set(bv0), splat(0), set(bv1)),
    ifThen(
      code(get(bias), op.i32(0), op.i32Ne),
      get(bias),
      op.v128Load(0),
      set(bv0),
      get(bias),
      op.v128Load(16),
      set(bv1),
    ),
    forLoop(
      t,
      op.i32(0),
      code(get(M), op.i32(mr - 1), op.i32Add, op.i32(mr), [0x6d]),
      op.i32(1),
      // valid rows in this tile
      get(M),
      get(t),
      op.i32(mr),
      op.i32Mul,
      op.i32Sub,
      set(valid),
      // pa = Ap + 4·t·K·mr; pb = Bp; end = Bp + 32·(K − K mod unroll)
      get(Ap),
      bytes(get(t), get(K), op.i32Mul, op.i32(mr), op.i32Mul),
      op.i32Add,
      set(pa),
      get(Bp),
      set(pb),
      get(Bp),
      get(K),
      get(K),
      op.i32(unroll),
      [0x6f], // i32.rem_s
      op.i32Sub,
      op.i32(5),
      op.i32Shl,
      op.i32Add,
      set(end),
      ...Array.from({ length: mr }, (_, r) =>
        code(
          get(bv0),
          set(acc[2 * r]),
          get(bv1),
          set(acc[2 * r + 1]),
          ifThen(
            code(get(R), op.i32(0), op.i32Ne, get(valid), op.i32(r), op.i32GtS, [0x71]),
            get(acc[2 * r]),
            rowPtr(R, r),
            op.v128Load(0),
            op.f32x4Add,
            set(acc[2 * r]),
            get(acc[2 * r + 1]),
            rowPtr(R, r),
            op.v128Load(16),
            op.f32x4Add,
            set(acc[2 * r + 1]),
          ),
        )),
      // k in groups of `unroll`, then one at a time
      block(
        [0x03, 0x40], // loop
        get(pb),
        get(end),
        op.i32GeS,
        op.brIf(1),
        ...Array.from({ length: unroll }, (_, k) => step(k)),
        addTo(pa, op.i32(4 * unroll * mr)),
        addTo(pb, op.i32(32 * unroll)),
        op.br(0),
        [0x0b],
      ),
      code(get(Bp), bytes(get(K), op.i32(8), op.i32Mul), op.i32Add, set(end)),
      block(
        [0x03, 0x40], // loop
        get(pb),
        get(end),
        op.i32GeS,
        op.brIf(1),
        step(0),
        addTo(pa, op.i32(4 * mr)),
        addTo(pb, op.i32(32)),
        op.br(0),
        [0x0b],
      ),
      ...Array.from({ length: mr }, (_, r) =>
        ifThen(
          code(get(valid), op.i32(r), op.i32GtS),
          rowPtr(C, r),
          set(row),
          get(row),
          get(acc[2 * r]),
          op.v128Store(0),
          get(row),
          get(acc[2 * r + 1]),
          op.v128Store(16),
        )),
    ),
  );
  return f.build(body, null);
}

/** Loops row blocks of mc rows × panels p0 ≤ p < p1, calling the panel kernel. */
function linearKernel(): FunctionDef {
  const f = new FunctionBuilder(Array(13).fill(I32));
  const [A, lda, Bp, bias, R, C, ldc, M, K, p0, p1, mc, Ap] = Array.from({ length: 13 }, (_, i) => i);
  const [i0, m, p] = f.many(I32, 3);
  const body = forLoop(
    i0,
    op.i32(0),
    get(M),
    get(mc),
    // m = min(mc, M − i0)
    get(M),
    get(i0),
    op.i32Sub,
    set(m),
    ifThen(code(get(m), get(mc), op.i32GtS), get(mc), set(m)),
    code(
      get(A),
      bytes(get(i0), get(lda), op.i32Mul),
      op.i32Add,
      get(lda),
      get(Ap),
      get(m),
      get(K),
      op.call(F.packRows),
    ),
    forLoop(
      p,
      get(p0),
      get(p1),
      op.i32(1),
      // panel(Ap, Bp + 32·p·K, bias + (bias ≠ 0)·32p, R + (R ≠ 0)·4(i0·ldc + 8p), C + 4(i0·ldc + 8p), ldc, m, K)
      get(Ap),
      get(Bp),
      get(p),
      get(K),
      op.i32Mul,
      op.i32(5),
      op.i32Shl,
      op.i32Add,
      get(bias),
      get(bias),
      op.i32(0),
      op.i32Ne,
      get(p),
      op.i32(5),
      op.i32Shl,
      op.i32Mul,
      op.i32Add,
      get(R),
      get(R),
      op.i32(0),
      op.i32Ne,
      bytes(get(i0), get(ldc), op.i32Mul, get(p), op.i32(3), op.i32Shl, op.i32Add),
      op.i32Mul,
      op.i32Add,
      get(C),
      bytes(get(i0), get(ldc), op.i32Mul, get(p), op.i32(3), op.i32Shl, op.i32Add),
      op.i32Add,
      get(ldc),
      get(m),
      get(K),
      op.call(F.panel),
    ),
  );
  return f.build(body, "linear");
}

/** dst `[cols, Tp]` = transpose of src rows (`rows` rows of `cols` floats, row stride `lds` floats), padding 0. */
function transposePad(): FunctionDef {
  const f = new FunctionBuilder(Array(6).fill(I32));
  const [src, lds, dst, rows, cols, Tp] = [0, 1, 2, 3, 4, 5];
  const [r, c] = [f.local(I32), f.local(I32)];
  const body = forLoop(
    c,
    op.i32(0),
    get(cols),
    op.i32(1),
    forLoop(
      r,
      op.i32(0),
      get(rows),
      op.i32(1),
      // dst[c·Tp + r] = src[r·lds + c]
      get(dst),
      bytes(get(c), get(Tp), op.i32Mul, get(r), op.i32Add),
      op.i32Add,
      get(src),
      bytes(get(r), get(lds), op.i32Mul, get(c), op.i32Add),
      op.i32Add,
      op.f32Load(),
      op.f32Store(),
    ),
    forLoop(
      r,
      get(rows),
      get(Tp),
      op.i32(1),
      get(dst),
      bytes(get(c), get(Tp), op.i32Mul, get(r), op.i32Add),
      op.i32Add,
      op.f32(0),
      op.f32Store(),
    ),
  );
  return f.build(body, null);
}

/** In place on P `[T, Tp]`: s = s·scale + mask (mask `[T, T]` or 0), padding −∞, then row softmax. */
function softmaxRows(): FunctionDef {
  const f = new FunctionBuilder([I32, I32, I32, F32, I32]);
  const [P, T, Tp, scale, mask] = [0, 1, 2, 3, 4];
  const [i, j, row, p] = f.many(I32, 4);
  const [m, s] = [f.local(F32), f.local(F32)];
  const [v, acc, t, n] = f.many(V128, 4);
  const at = (ptr: number, idx: number) => code(get(ptr), bytes(get(idx)), op.i32Add);
  const body = forLoop(
    i,
    op.i32(0),
    get(T),
    op.i32(1),
    code(get(P), bytes(get(i), get(Tp), op.i32Mul), op.i32Add, set(row)),
    // scale and mask
    forLoop(
      j,
      op.i32(0),
      get(T),
      op.i32(1),
      at(row, j),
      at(row, j),
      op.f32Load(),
      get(scale),
      op.f32Mul,
      set(s),
      ifThen(
        code(get(mask), op.i32(0), op.i32Ne),
        get(s),
        get(mask),
        bytes(get(i), get(T), op.i32Mul, get(j), op.i32Add),
        op.i32Add,
        op.f32Load(),
        op.f32Add,
        set(s),
      ),
      get(s),
      op.f32Store(),
    ),
    forLoop(j, get(T), get(Tp), op.i32(1), at(row, j), op.f32(-Infinity), op.f32Store()),
    // max
    code(splat(-Infinity), set(acc)),
    forLoop(
      j,
      op.i32(0),
      get(Tp),
      op.i32(4),
      get(acc),
      at(row, j),
      op.v128Load(),
      op.f32x4Max,
      set(acc),
    ),
    hreduce(acc, op.f32Max),
    set(m),
    // exp and sum
    code(splat(0), set(n), get(n), set(acc)),
    forLoop(
      j,
      op.i32(0),
      get(Tp),
      op.i32(4),
      at(row, j),
      set(p),
      get(p),
      op.v128Load(),
      get(m),
      op.f32x4Splat,
      op.f32x4Sub,
      set(v),
      expV(v, t, n),
      set(v),
      get(p),
      get(v),
      op.v128Store(),
      get(acc),
      get(v),
      op.f32x4Add,
      set(acc),
    ),
    op.f32(1),
    hreduce(acc, op.f32Add),
    op.f32Div,
    op.f32x4Splat,
    set(v),
    forLoop(
      j,
      op.i32(0),
      get(Tp),
      op.i32(4),
      at(row, j),
      set(p),
      get(p),
      get(p),
      op.v128Load(),
      get(v),
      op.f32x4Mul,
      op.v128Store(),
    ),
  );
  return f.build(body, null);
}

/** In place on dS `[T, Tp]` (holding dP): dS = P·(dP − Σⱼ dP·P)·scale, row by row. */
function softmaxGradRows(): FunctionDef {
  const f = new FunctionBuilder([I32, I32, I32, I32, F32]);
  const [dS, P, T, Tp, scale] = [0, 1, 2, 3, 4];
  const [i, j, rd, rp] = f.many(I32, 4);
  const [acc, c] = [f.local(V128), f.local(V128)];
  const body = forLoop(
    i,
    op.i32(0),
    get(T),
    op.i32(1),
    code(get(dS), bytes(get(i), get(Tp), op.i32Mul), op.i32Add, set(rd)),
    code(get(P), bytes(get(i), get(Tp), op.i32Mul), op.i32Add, set(rp)),
    code(splat(0), set(acc)),
    forLoop(
      j,
      op.i32(0),
      get(Tp),
      op.i32(4),
      get(acc),
      get(rd),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      get(rp),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      op.f32x4Mul,
      op.f32x4Add,
      set(acc),
    ),
    hreduce(acc, op.f32Add),
    op.f32x4Splat,
    set(c),
    forLoop(
      j,
      op.i32(0),
      get(Tp),
      op.i32(4),
      get(rd),
      bytes(get(j)),
      op.i32Add,
      get(rd),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      get(c),
      op.f32x4Sub,
      get(rp),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      op.f32x4Mul,
      get(scale),
      op.f32x4Splat,
      op.f32x4Mul,
      op.v128Store(),
    ),
  );
  return f.build(body, null);
}

/** Function indices in the module (array order in {@link buildModule}). */
const F = { gemm: 0, transposePad: 1, softmaxRows: 2, softmaxGradRows: 3, packRows: 4, panel: 5 } as const;

/** Loops over (batch, head) with pointers to the head's q, k, v columns; `perHead` gets the locals. */
function headLoop(
  f: FunctionBuilder,
  p: { qkv: number; B: number; H: number; T: number; d: number },
  perHead: (l: { q: number; k: number; v: number; bh: number; row0: number; w: number }) => number[],
): number[] {
  const [b, h, q, k, v, bh, row0, w] = f.many(I32, 8);
  return code(
    get(p.H),
    get(p.d),
    op.i32Mul,
    set(w),
    forLoop(
      b,
      op.i32(0),
      get(p.B),
      op.i32(1),
      forLoop(
        h,
        op.i32(0),
        get(p.H),
        op.i32(1),
        // row0 = b·T; q = qkv + 4(row0·3w + h·d); k = q + 4w; v = k + 4w; bh = b·H + h
        get(b),
        get(p.T),
        op.i32Mul,
        set(row0),
        get(p.qkv),
        bytes(get(row0), op.i32(3), op.i32Mul, get(w), op.i32Mul, get(h), get(p.d), op.i32Mul, op.i32Add),
        op.i32Add,
        set(q),
        get(q),
        bytes(get(w)),
        op.i32Add,
        set(k),
        get(k),
        bytes(get(w)),
        op.i32Add,
        set(v),
        get(b),
        get(p.H),
        op.i32Mul,
        get(h),
        op.i32Add,
        set(bh),
        perHead({ q, k, v, bh, row0, w }),
      ),
    ),
  );
}

function attnForward(): FunctionDef {
  const f = new FunctionBuilder([...Array(10).fill(I32), F32]);
  const [qkv, O, P, mask, scratch, B, H, T, d, Tp, scale] = Array.from({ length: 11 }, (_, i) => i);
  const [pp, po] = [f.local(I32), f.local(I32)];
  const body = headLoop(f, { qkv, B, H, T, d }, ({ q, k, v, bh, row0, w }) =>
    code(
      // pp = P + 4·bh·T·Tp; po = O + 4(row0·w + h·d) = O + 4·row0·w + (q − qkv − 4·row0·3w)
      get(P),
      bytes(get(bh), get(T), op.i32Mul, get(Tp), op.i32Mul),
      op.i32Add,
      set(pp),
      get(O),
      bytes(get(row0), get(w), op.i32Mul),
      op.i32Add,
      get(q),
      get(qkv),
      op.i32Sub,
      bytes(get(row0), op.i32(3), op.i32Mul, get(w), op.i32Mul),
      op.i32Sub,
      op.i32Add,
      set(po),
      // Kᵀ (padded) into scratch
      code(get(k), get(w), op.i32(3), op.i32Mul, get(scratch), get(T), get(d), get(Tp), op.call(F.transposePad)),
      // S = Q·Kᵀ into P
      code(
        get(q),
        get(w),
        op.i32(3),
        op.i32Mul,
        op.i32(1),
        get(scratch),
        get(Tp),
        get(pp),
        get(Tp),
        get(T),
        get(Tp),
        get(d),
        op.call(F.gemm),
      ),
      code(get(pp), get(T), get(Tp), get(scale), get(mask), op.call(F.softmaxRows)),
      // O = P·V
      code(
        get(pp),
        get(Tp),
        op.i32(1),
        get(v),
        get(w),
        op.i32(3),
        op.i32Mul,
        get(po),
        get(w),
        get(T),
        get(d),
        get(T),
        op.call(F.gemm),
      ),
    ));
  return f.build(body, "attnForward");
}

function attnBackward(): FunctionDef {
  const f = new FunctionBuilder([...Array(10).fill(I32), F32]);
  const [qkv, P, dO, dqkv, scratch, B, H, T, d, Tp, scale] = Array.from({ length: 11 }, (_, i) => i);
  const [pp, pdo, dS, dq, w3] = f.many(I32, 5);
  const body = code(
    // dS scratch after Vᵀ: scratch + 4·d·Tp
    get(scratch),
    bytes(get(d), get(Tp), op.i32Mul),
    op.i32Add,
    set(dS),
    headLoop(f, { qkv, B, H, T, d }, ({ q, k, v, bh, row0, w }) =>
      code(
        get(w),
        op.i32(3),
        op.i32Mul,
        set(w3),
        get(P),
        bytes(get(bh), get(T), op.i32Mul, get(Tp), op.i32Mul),
        op.i32Add,
        set(pp),
        // head column offset (bytes) = q − qkv − 4·row0·3w; dO head = dO + 4·row0·w + that; dq = dqkv + (q − qkv)
        get(dO),
        bytes(get(row0), get(w), op.i32Mul),
        op.i32Add,
        get(q),
        get(qkv),
        op.i32Sub,
        bytes(get(row0), get(w3), op.i32Mul),
        op.i32Sub,
        op.i32Add,
        set(pdo),
        get(dqkv),
        get(q),
        get(qkv),
        op.i32Sub,
        op.i32Add,
        set(dq),
        // Vᵀ (padded) into scratch; dP = dO·Vᵀ into dS; dS = P·(dP − rowdot)·scale
        code(get(v), get(w3), get(scratch), get(T), get(d), get(Tp), op.call(F.transposePad)),
        code(
          get(pdo),
          get(w),
          op.i32(1),
          get(scratch),
          get(Tp),
          get(dS),
          get(Tp),
          get(T),
          get(Tp),
          get(d),
          op.call(F.gemm),
        ),
        code(get(dS), get(pp), get(T), get(Tp), get(scale), op.call(F.softmaxGradRows)),
        // dQ = dS·K; dK = dSᵀ·Q; dV = Pᵀ·dO
        code(get(dS), get(Tp), op.i32(1), get(k), get(w3), get(dq), get(w3), get(T), get(d), get(T), op.call(F.gemm)),
        code(
          get(dS),
          op.i32(1),
          get(Tp),
          get(q),
          get(w3),
          get(dq),
          bytes(get(w)),
          op.i32Add,
          get(w3),
          get(T),
          get(d),
          get(T),
          op.call(F.gemm),
        ),
        code(
          get(pp),
          op.i32(1),
          get(Tp),
          get(pdo),
          get(w),
          get(dq),
          bytes(get(w), op.i32(2), op.i32Mul),
          op.i32Add,
          get(w3),
          get(T),
          get(d),
          get(T),
          op.call(F.gemm),
        ),
      )),
  );
  return f.build(body, "attnBackward");
}

/** σ(k·h) for the v128 in local `h`, via e^(−k·h); leaves it on the stack (uses x, t, n). */
function sigmoidV(h: number, x: number, t: number, n: number): number[] {
  return code(
    get(h),
    splat(-GELU_K),
    op.f32x4Mul,
    set(x),
    splat(1),
    splat(1),
    expV(x, t, n),
    op.f32x4Add,
    op.f32x4Div,
  );
}

function fillRows(): FunctionDef {
  const f = new FunctionBuilder(Array(5).fill(I32));
  const [C, bias, R, M, N] = [0, 1, 2, 3, 4];
  const [i, j, off] = f.many(I32, 3);
  const v = f.local(V128);
  const body = forLoop(
    i,
    op.i32(0),
    get(M),
    op.i32(1),
    forLoop(
      j,
      op.i32(0),
      get(N),
      op.i32(4),
      bytes(get(i), get(N), op.i32Mul, get(j), op.i32Add),
      set(off),
      splat(0),
      set(v),
      ifThen(
        code(get(bias), op.i32(0), op.i32Ne),
        get(v),
        get(bias),
        bytes(get(j)),
        op.i32Add,
        op.v128Load(),
        op.f32x4Add,
        set(v),
      ),
      ifThen(
        code(get(R), op.i32(0), op.i32Ne),
        get(v),
        get(R),
        get(off),
        op.i32Add,
        op.v128Load(),
        op.f32x4Add,
        set(v),
      ),
      get(C),
      get(off),
      op.i32Add,
      get(v),
      op.v128Store(),
    ),
  );
  return f.build(body, "fillRows");
}

function geluForward(): FunctionDef {
  const f = new FunctionBuilder([I32, I32, I32]);
  const [h, out, n] = [0, 1, 2];
  const [i, ph] = [f.local(I32), f.local(I32)];
  const [hv, x, t, nn] = f.many(V128, 4);
  const body = forLoop(
    i,
    op.i32(0),
    get(n),
    op.i32(4),
    get(h),
    bytes(get(i)),
    op.i32Add,
    set(ph),
    get(ph),
    op.v128Load(),
    set(hv),
    get(out),
    bytes(get(i)),
    op.i32Add,
    get(hv),
    sigmoidV(hv, x, t, nn),
    op.f32x4Mul,
    op.v128Store(),
  );
  return f.build(body, "geluForward");
}

function geluBackward(): FunctionDef {
  const f = new FunctionBuilder([I32, I32, I32, I32]);
  const [h, dg, dh, n] = [0, 1, 2, 3];
  const [i, off] = [f.local(I32), f.local(I32)];
  const [hv, s, x, t, nn] = f.many(V128, 5);
  const body = forLoop(
    i,
    op.i32(0),
    get(n),
    op.i32(4),
    bytes(get(i)),
    set(off),
    get(h),
    get(off),
    op.i32Add,
    op.v128Load(),
    set(hv),
    sigmoidV(hv, x, t, nn),
    set(s),
    // dh = dg·s·(1 + k·h·(1 − s))
    get(dh),
    get(off),
    op.i32Add,
    get(dg),
    get(off),
    op.i32Add,
    op.v128Load(),
    get(s),
    op.f32x4Mul,
    splat(1),
    get(hv),
    splat(GELU_K),
    op.f32x4Mul,
    splat(1),
    get(s),
    op.f32x4Sub,
    op.f32x4Mul,
    op.f32x4Add,
    op.f32x4Mul,
    op.v128Store(),
  );
  return f.build(body, "geluBackward");
}

function lnForward(): FunctionDef {
  const f = new FunctionBuilder(Array(7).fill(I32));
  const [x, g, b, y, stats, rows, w] = [0, 1, 2, 3, 4, 5, 6];
  const [r, j, px, py] = f.many(I32, 4);
  const [mu, rstd] = [f.local(F32), f.local(F32)];
  const [acc, d, muv, rv] = f.many(V128, 4);
  const xj = code(get(px), bytes(get(j)), op.i32Add, op.v128Load());
  const body = forLoop(
    r,
    op.i32(0),
    get(rows),
    op.i32(1),
    get(x),
    bytes(get(r), get(w), op.i32Mul),
    op.i32Add,
    set(px),
    get(y),
    bytes(get(r), get(w), op.i32Mul),
    op.i32Add,
    set(py),
    code(splat(0), set(acc)),
    forLoop(j, op.i32(0), get(w), op.i32(4), get(acc), xj, op.f32x4Add, set(acc)),
    hreduce(acc, op.f32Add),
    get(w),
    op.f32ConvertI32S,
    op.f32Div,
    set(mu),
    get(mu),
    op.f32x4Splat,
    set(muv),
    code(splat(0), set(acc)),
    forLoop(
      j,
      op.i32(0),
      get(w),
      op.i32(4),
      xj,
      get(muv),
      op.f32x4Sub,
      set(d),
      get(acc),
      get(d),
      get(d),
      op.f32x4Mul,
      op.f32x4Add,
      set(acc),
    ),
    op.f32(1),
    hreduce(acc, op.f32Add),
    get(w),
    op.f32ConvertI32S,
    op.f32Div,
    op.f32(LN_EPS),
    op.f32Add,
    op.f32Sqrt,
    op.f32Div,
    set(rstd),
    get(rstd),
    op.f32x4Splat,
    set(rv),
    get(stats),
    bytes(get(r), op.i32(2), op.i32Mul),
    op.i32Add,
    get(mu),
    op.f32Store(0),
    get(stats),
    bytes(get(r), op.i32(2), op.i32Mul),
    op.i32Add,
    get(rstd),
    op.f32Store(4),
    forLoop(
      j,
      op.i32(0),
      get(w),
      op.i32(4),
      get(py),
      bytes(get(j)),
      op.i32Add,
      xj,
      get(muv),
      op.f32x4Sub,
      get(rv),
      op.f32x4Mul,
      get(g),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      op.f32x4Mul,
      get(b),
      bytes(get(j)),
      op.i32Add,
      op.v128Load(),
      op.f32x4Add,
      op.v128Store(),
    ),
  );
  return f.build(body, "lnForward");
}

function lnBackward(): FunctionDef {
  const f = new FunctionBuilder(Array(8).fill(I32));
  const [x, stats, g, dy, dres, dx, rows, w] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, j, px, pdy, pdx, pres, ps] = f.many(I32, 7);
  const [a1, a2, muv, rv, xh, gd, m1, m2] = f.many(V128, 8);
  const load = (p: number) => code(get(p), bytes(get(j)), op.i32Add, op.v128Load());
  // x̂ = (x − μ)·rstd, gd = dy·g
  const xhat = code(load(px), get(muv), op.f32x4Sub, get(rv), op.f32x4Mul, set(xh));
  const dyg = code(load(pdy), get(g), bytes(get(j)), op.i32Add, op.v128Load(), op.f32x4Mul, set(gd));
  // rstd·(gd − m1 − x̂·m2)
  const grad = code(get(gd), get(m1), op.f32x4Sub, get(xh), get(m2), op.f32x4Mul, op.f32x4Sub, get(rv), op.f32x4Mul);
  const rowPtr = (base: number, into: number) =>
    code(get(base), bytes(get(r), get(w), op.i32Mul), op.i32Add, set(into));
  const meanOf = (v: number) => code(hreduce(v, op.f32Add), get(w), op.f32ConvertI32S, op.f32Div, op.f32x4Splat);
  const body = forLoop(
    r,
    op.i32(0),
    get(rows),
    op.i32(1),
    rowPtr(x, px),
    rowPtr(dy, pdy),
    rowPtr(dx, pdx),
    rowPtr(dres, pres),
    code(get(stats), bytes(get(r), op.i32(2), op.i32Mul), op.i32Add, set(ps)),
    code(get(ps), op.f32Load(0), op.f32x4Splat, set(muv), get(ps), op.f32Load(4), op.f32x4Splat, set(rv)),
    code(splat(0), set(a1), splat(0), set(a2)),
    forLoop(
      j,
      op.i32(0),
      get(w),
      op.i32(4),
      xhat,
      dyg,
      get(a1),
      get(gd),
      op.f32x4Add,
      set(a1),
      get(a2),
      get(gd),
      get(xh),
      op.f32x4Mul,
      op.f32x4Add,
      set(a2),
    ),
    meanOf(a1),
    set(m1),
    meanOf(a2),
    set(m2),
    block(
      ifThen(
        code(get(dres), op.i32Eqz),
        forLoop(j, op.i32(0), get(w), op.i32(4), get(pdx), bytes(get(j)), op.i32Add, xhat, dyg, grad, op.v128Store()),
        op.br(1),
      ),
      forLoop(
        j,
        op.i32(0),
        get(w),
        op.i32(4),
        get(pdx),
        bytes(get(j)),
        op.i32Add,
        xhat,
        dyg,
        grad,
        load(pres),
        op.f32x4Add,
        op.v128Store(),
      ),
    ),
  );
  return f.build(body, "lnBackward");
}

/** The kernels' module for a host memory (`shared` for tfjs' threaded build); `relaxed` uses fused multiply-add. */
export function buildModule(
  options: { shared: boolean; relaxed: boolean; maxPages?: number; mr?: number; unroll?: number },
): Uint8Array {
  const madd = maddFor(options.relaxed);
  const functions = [
    gemm(madd),
    transposePad(),
    softmaxRows(),
    softmaxGradRows(),
    packRowsKernel(options.mr ?? 6),
    panelKernel(madd, options.mr ?? 6, options.unroll ?? 2),
    linearKernel(),
    attnForward(),
    attnBackward(),
    fillRows(),
    geluForward(),
    geluBackward(),
    lnForward(),
    lnBackward(),
  ];
  return assemble(functions, { shared: options.shared, maxPages: options.maxPages ?? 65536 });
}

/** Whether this engine validates relaxed-SIMD fused multiply-add. */
export function relaxedSimdSupported(): boolean {
  const f = new FunctionBuilder([], []);
  const body = code(splat(1), splat(2), splat(3), op.f32x4RelaxedMadd, op.drop);
  try {
    return WebAssembly.validate(assemble([f.build(body, null)], { shared: false, maxPages: 1 }) as BufferSource);
  } catch {
    return false;
  }
}
