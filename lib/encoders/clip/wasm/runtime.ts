/**
 * Runs the engine's own wasm kernels ({@link buildModule}) inside tfjs' wasm backend: the module imports the backend's
 * memory (shared under the threaded build), and each fused op is registered as a tfjs kernel (`PpadAttention`, …) whose
 * outputs the backend allocates, so tensors, `tf.tidy` and `dispose` work as for any op. Only on the wasm backend:
 * {@link fusedAvailable} is false elsewhere (callers then use plain tfjs ops). With the threaded build, worker threads
 * (as many more as the backend has) share each call, working on the same memory.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Worker } from "node:worker_threads";
import { currentBackend } from "../../../backend.ts";
import { buildModule, type KernelName, KERNELS, relaxedSimdSupported } from "./kernels.ts";
import { blasFrom, blasFromEnv, type NativeBlas } from "./native_blas.ts";

/** What the engine needs from tfjs' wasm backend object (internal fields, present in 4.x). */
interface WasmBackendLike {
  wasm: {
    HEAPU8: Uint8Array;
    wasmMemory?: WebAssembly.Memory;
    asm?: Record<string, unknown>;
    [key: string]: unknown;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

type Exports = { [K in KernelName]: (...args: number[]) => void };

/**
 * Rows of a panel-kernel tile (6 rows × 8 columns: 12 accumulators, measured fastest on x86-64 with 16 vector
 * registers) and its k unrolling (4: a few percent over 1 or 2).
 */
const TILE_ROWS = 6;
const UNROLL = 4;

const NAMES = Object.keys(KERNELS) as KernelName[];

/**
 * The worker side of {@link Pool}: instantiates the kernels on the shared memory, then waits on its control block
 * (Int32 [seq, done, kernel, nargs, memory bytes], Float64 args) and runs each call it is handed.
 */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.once("message", ({ module, memory, control, names }) => {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const i32 = new Int32Array(control, 0, 5), f64 = new Float64Array(control, 24, 16);
  const fns = names.map((n) => inst.exports[n]);
  let seq = 0;
  for (;;) {
    Atomics.wait(i32, 0, seq);
    seq = Atomics.load(i32, 0);
    try {
      // The main thread may have grown the memory since the last call: this thread must see all of it. V8 updates a
      // waiting thread's view of a grown shared memory lazily; grow(0) makes it take the current size now.
      if (memory.buffer.byteLength < i32[4]) memory.grow(0);
      if (memory.buffer.byteLength < i32[4]) throw new RangeError("memory smaller than the main thread's");
      fns[i32[2]](...f64.subarray(0, i32[3]));
    } catch (e) {
      i32[3] = -1;
      const what = String((e && e.message) || e) + " (memory of " + memory.buffer.byteLength + " bytes)";
      const text = new TextEncoder().encode(what).subarray(0, 255);
      const out = new Uint8Array(control, 24 + 16 * 8, 256);
      out.fill(0);
      out.set(text);
    }
    Atomics.store(i32, 1, seq);
    Atomics.notify(i32, 1);
  }
});
`;

/** Worker threads that run kernel calls on tfjs' shared memory beside the main thread (blocking hand-off, no events). */
class Pool {
  readonly #controls: { i32: Int32Array; f64: Float64Array; message: Uint8Array }[] = [];
  readonly #memory: WebAssembly.Memory;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number) {
    this.#memory = memory;
    for (let k = 0; k < workers; k++) {
      const control = new SharedArrayBuffer(24 + 16 * 8 + 256); // + an error message
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.postMessage({ module, memory, control, names: NAMES });
      w.unref(); // a script ends when its work does
      this.#controls.push({
        i32: new Int32Array(control, 0, 5),
        f64: new Float64Array(control, 24, 16),
        message: new Uint8Array(control, 24 + 16 * 8, 256),
      });
    }
  }

  /** Threads available: the workers plus the calling thread. */
  get size(): number {
    return this.#controls.length + 1;
  }

  /** Runs `name` with `parts[0]` on this thread and `parts[k]` on worker k − 1, and waits for all. */
  run(exports: Exports, name: KernelName, parts: number[][]): void {
    const fn = NAMES.indexOf(name);
    const started: [Int32Array, number, Uint8Array][] = [];
    for (let k = 1; k < parts.length; k++) {
      const { i32, f64 } = this.#controls[k - 1];
      f64.set(parts[k]);
      i32[2] = fn;
      i32[3] = parts[k].length;
      i32[4] = Math.min(this.#memory.buffer.byteLength, 2 ** 31 - 1);
      const seq = Atomics.load(i32, 0) + 1;
      Atomics.store(i32, 0, seq);
      Atomics.notify(i32, 0);
      started.push([i32, seq, this.#controls[k - 1].message]);
    }
    exports[name](...parts[0]);
    for (const [i32, seq, message] of started) {
      const t0 = performance.now();
      for (let done = Atomics.load(i32, 1); done !== seq; done = Atomics.load(i32, 1)) {
        Atomics.wait(i32, 1, done, 1000);
        if (performance.now() - t0 > 120_000) throw new Error(`Cannot run kernel ${name}: a worker did not answer`);
      }
      if (i32[3] < 0) {
        const text = new TextDecoder().decode(message.slice()).replace(/\0+$/, "");
        throw new Error(`Cannot run kernel ${name}: it failed on a worker thread (${text})`);
      }
    }
  }
}

let instance: { exports: Exports; backend: WasmBackendLike; relaxed: boolean; pool: Pool | null } | null = null;
let disabled = Deno.env.get("PPAD_FUSED") === "0";
/** The native BLAS for linear layers (`PPAD_BLAS`), opened with the kernels; undefined until then. */
let blas: NativeBlas | null | undefined;
let blasOn = true;

/** Threads for the kernels: `PPAD_FUSED_THREADS`, else the wasm backend's thread count. */
function threadCount(): number {
  const env = Number(Deno.env.get("PPAD_FUSED_THREADS"));
  if (Number.isInteger(env) && env >= 1) return env;
  return currentBackend()?.threads ?? 1;
}

function hostMemory(b: WasmBackendLike): WebAssembly.Memory | null {
  const buffer = b.wasm.HEAPU8.buffer;
  const candidates: unknown[] = [b.wasm.wasmMemory, b.wasm.asm?.memory, ...Object.values(b.wasm.asm ?? {})];
  for (const c of candidates) if (c instanceof WebAssembly.Memory && c.buffer === buffer) return c;
  return null;
}

function load(): typeof instance {
  const b = tf.backend() as unknown as WasmBackendLike;
  if (instance && instance.backend === b) return instance;
  const memory = hostMemory(b);
  if (!memory) throw new Error("Cannot start the fused CLIP kernels: tfjs' wasm memory was not found");
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const relaxed = relaxedSimdSupported();
  const bytes = buildModule({ shared, relaxed, mr: TILE_ROWS, unroll: UNROLL });
  const module = new WebAssembly.Module(bytes as BufferSource);
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const threads = shared ? threadCount() : 1;
  const pool = threads > 1 ? new Pool(module, memory, threads - 1) : null;
  instance = { exports: inst.exports as unknown as Exports, backend: b, relaxed, pool };
  if (blas === undefined) blas = blasFromEnv(threads);
  registerKernels();
  return instance;
}

/** Whether the fused kernels run on the current backend (wasm, and not turned off with `PPAD_FUSED=0`). */
export function fusedAvailable(): boolean {
  if (disabled || tf.getBackend() !== "wasm") return false;
  try {
    load();
    return true;
  } catch (err) {
    console.error(`fused CLIP kernels off: ${(err as Error).message}`);
    disabled = true;
    return false;
  }
}

/** Turns the fused kernels off (or on again) for this process: tests compare both paths. */
export function setFusedEnabled(enabled: boolean): void {
  disabled = !enabled;
}

/**
 * The native BLAS the linear layers use (`PPAD_BLAS=auto` or a library path; see `native_blas.ts`), or null: the
 * engine's own wasm kernels. Known once the kernels have loaded ({@link fusedAvailable}).
 */
export function nativeBlas(): string | null {
  return blasOn && blas ? blas.library : null;
}

/**
 * Opens a native BLAS for the linear layers (`auto` or a library path, as `PPAD_BLAS`) once the kernels run here;
 * returns the library opened, or null (then the wasm kernels stay in use).
 */
export function openNativeBlas(spec: string): string | null {
  if (!fusedAvailable()) return null;
  const b = blasFrom(spec, instance!.pool?.size ?? 1);
  if (b) blas = b;
  return b ? b.library : null;
}

/** Uses the native BLAS (when one was opened) or the wasm kernels for linear layers: benchmarks compare both. */
export function setNativeBlasEnabled(enabled: boolean): void {
  blasOn = enabled;
}

/** Whether the fused kernels use relaxed-SIMD fused multiply-add (after they have loaded). */
export function fusedUsesFma(): boolean | null {
  return instance ? instance.relaxed : null;
}

/** Splits [0, n) into at most `threads` contiguous ranges of multiples of `unit` (the last may be shorter). */
function ranges(n: number, threads: number, unit = 1): [number, number][] {
  const units = Math.ceil(n / unit);
  const parts = Math.max(1, Math.min(threads, units));
  const out: [number, number][] = [];
  for (let k = 0; k < parts; k++) {
    const lo = Math.min(n, Math.round((units * k) / parts) * unit);
    const hi = Math.min(n, Math.round((units * (k + 1)) / parts) * unit);
    if (hi > lo) out.push([lo, hi]);
  }
  return out;
}

/** Runs kernel `name` over parts (one per thread): `args(lo, hi)` gives the arguments of [lo, hi). */
function parallel(name: KernelName, n: number, unit: number, args: (lo: number, hi: number) => number[]): void {
  const inst = instance!;
  const parts = ranges(n, inst.pool?.size ?? 1, unit).map(([lo, hi]) => args(lo, hi));
  if (parts.length === 0) return;
  if (parts.length === 1 || !inst.pool) inst.exports[name](...parts[0]);
  else inst.pool.run(inst.exports, name, parts);
}

function ptr(b: WasmBackendLike, t: tf.TensorInfo): number {
  return b.dataIdMap.get(t.dataId).memoryOffset;
}

/** Tp: tokens rounded up to 8 (the row stride of the saved attention probabilities). */
export function paddedTokens(tokens: number): number {
  return Math.ceil(tokens / 8) * 8;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function scratch(b: WasmBackendLike, floats: number): tf.TensorInfo {
  return b.makeOutput([floats], "float32");
}

const kernels: Record<string, (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
  PpadAttention: ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const { batch, tokens, heads, width, hasMask } = attrs as Record<string, number>;
    const d = width / heads, tp = paddedTokens(tokens);
    const o = b.makeOutput([batch * tokens, width], "float32");
    const p = b.makeOutput([batch * heads, tokens, tp], "float32");
    const threads = instance!.pool?.size ?? 1;
    const s = scratch(b, threads * d * tp);
    const mask = hasMask ? ptr(b, inputs.mask as tf.TensorInfo) : 0;
    const [qkv, po, pp, ps] = [ptr(b, inputs.qkv as tf.TensorInfo), ptr(b, o), ptr(b, p), ptr(b, s)];
    let part = 0;
    parallel("attnForward", batch, 1, (lo, hi) => [
      qkv + 4 * lo * tokens * 3 * width,
      po + 4 * lo * tokens * width,
      pp + 4 * lo * heads * tokens * tp,
      mask,
      ps + 4 * (part++) * d * tp,
      hi - lo,
      heads,
      tokens,
      d,
      tp,
      1 / Math.sqrt(d),
    ]);
    b.disposeData(s.dataId);
    return [o, p];
  },
  PpadAttentionGrad: ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const { batch, tokens, heads, width } = attrs as Record<string, number>;
    const d = width / heads, tp = paddedTokens(tokens);
    const dqkv = b.makeOutput([batch * tokens, 3 * width], "float32");
    const threads = instance!.pool?.size ?? 1;
    const per = (d + tokens) * tp;
    const s = scratch(b, threads * per);
    const [qkv, pp, pdy, pdq, ps] = [
      ptr(b, inputs.qkv as tf.TensorInfo),
      ptr(b, inputs.p as tf.TensorInfo),
      ptr(b, inputs.dy as tf.TensorInfo),
      ptr(b, dqkv),
      ptr(b, s),
    ];
    let part = 0;
    parallel("attnBackward", batch, 1, (lo, hi) => [
      qkv + 4 * lo * tokens * 3 * width,
      pp + 4 * lo * heads * tokens * tp,
      pdy + 4 * lo * tokens * width,
      pdq + 4 * lo * tokens * 3 * width,
      ps + 4 * (part++) * per,
      hi - lo,
      heads,
      tokens,
      d,
      tp,
      1 / Math.sqrt(d),
    ]);
    b.disposeData(s.dataId);
    return dqkv;
  },
  PpadLinear: ({ inputs, backend, attrs }) => {
    const b = backend as WasmBackendLike;
    const x = inputs.x as tf.TensorInfo;
    const [rows, k] = x.shape;
    const { outputs: n, transpose } = attrs as Record<string, number>;
    const y = b.makeOutput([rows, n], "float32");
    const bias = inputs.bias as tf.TensorInfo | undefined, res = inputs.res as tf.TensorInfo | undefined;
    const [px, pb, pr, py] = [ptr(b, x), bias ? ptr(b, bias) : 0, res ? ptr(b, res) : 0, ptr(b, y)];
    if (blasOn && blas) {
      // y = bias + res, then y += x·op(W) in the native BLAS, on the same memory.
      if (pb || pr) {
        parallel("fillRows", rows, 8, (lo, hi) => [py + 4 * lo * n, pb, pr ? pr + 4 * lo * n : 0, hi - lo, n]);
      }
      const m = ptr(b, inputs.matrix as tf.TensorInfo);
      blas.sgemm(
        b.wasm.HEAPU8.buffer,
        px,
        k,
        m,
        transpose ? k : n,
        transpose === 1,
        py,
        n,
        rows,
        n,
        k,
        pb || pr ? 1 : 0,
      );
      return y;
    }
    // Rows in blocks of about 120 (a multiple of the tile), split evenly; panels of 8 columns split among threads.
    const pw = ptr(b, inputs.w as tf.TensorInfo);
    const blocks = Math.max(1, Math.round(rows / 120));
    const mc = Math.ceil(rows / blocks / TILE_ROWS) * TILE_ROWS;
    const threads = instance!.pool?.size ?? 1;
    const packed = scratch(b, threads * mc * k); // each thread packs its row blocks here
    const pa = ptr(b, packed);
    let part = 0;
    parallel("linear", n / 8, 1, (lo, hi) => [px, k, pw, pb, pr, py, n, rows, k, lo, hi, mc, pa + 4 * mc * k * part++]);
    b.disposeData(packed.dataId);
    return y;
  },
  PpadGelu: ({ inputs, backend }) => {
    const b = backend as WasmBackendLike;
    const h = inputs.h as tf.TensorInfo;
    const out = b.makeOutput(h.shape.slice(), "float32");
    const [ph, po] = [ptr(b, h), ptr(b, out)];
    parallel("geluForward", tf.util.sizeFromShape(h.shape), 4096, (lo, hi) => [ph + 4 * lo, po + 4 * lo, hi - lo]);
    return out;
  },
  PpadGeluGrad: ({ inputs, backend }) => {
    const b = backend as WasmBackendLike;
    const h = inputs.h as tf.TensorInfo;
    const out = b.makeOutput(h.shape.slice(), "float32");
    const [ph, pdy, po] = [ptr(b, h), ptr(b, inputs.dy as tf.TensorInfo), ptr(b, out)];
    parallel("geluBackward", tf.util.sizeFromShape(h.shape), 4096, (lo, hi) => [
      ph + 4 * lo,
      pdy + 4 * lo,
      po + 4 * lo,
      hi - lo,
    ]);
    return out;
  },
  PpadLayerNorm: ({ inputs, backend }) => {
    const b = backend as WasmBackendLike;
    const x = inputs.x as tf.TensorInfo;
    const [rows, w] = x.shape;
    const y = b.makeOutput([rows, w], "float32");
    const stats = b.makeOutput([rows, 2], "float32");
    const [px, pg, pb, py, ps] = [
      ptr(b, x),
      ptr(b, inputs.g as tf.TensorInfo),
      ptr(b, inputs.b as tf.TensorInfo),
      ptr(b, y),
      ptr(b, stats),
    ];
    parallel("lnForward", rows, 8, (lo, hi) => [px + 4 * lo * w, pg, pb, py + 4 * lo * w, ps + 8 * lo, hi - lo, w]);
    return [y, stats];
  },
  PpadLayerNormGrad: ({ inputs, backend }) => {
    const b = backend as WasmBackendLike;
    const x = inputs.x as tf.TensorInfo;
    const [rows, w] = x.shape;
    const dx = b.makeOutput([rows, w], "float32");
    const res = inputs.res as tf.TensorInfo | undefined;
    const [px, ps, pg, pdy, pr, pdx] = [
      ptr(b, x),
      ptr(b, inputs.stats as tf.TensorInfo),
      ptr(b, inputs.g as tf.TensorInfo),
      ptr(b, inputs.dy as tf.TensorInfo),
      res ? ptr(b, res) : 0,
      ptr(b, dx),
    ];
    parallel("lnBackward", rows, 8, (lo, hi) => [
      px + 4 * lo * w,
      ps + 8 * lo,
      pg,
      pdy + 4 * lo * w,
      pr ? pr + 4 * lo * w : 0,
      pdx + 4 * lo * w,
      hi - lo,
      w,
    ]);
    return dx;
  },
};

function registerKernels(): void {
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, "wasm")) continue;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: kernelFunc as tf.KernelFunc });
  }
}

function run<T extends tf.Tensor | tf.Tensor[]>(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap = {},
): T {
  return tf.engine().runKernel(name, inputs, attrs) as unknown as T;
}

/** Shape of an attention call: rows = batch · tokens, width = heads · d. */
export interface FusedAttentionShape {
  batch: number;
  tokens: number;
  heads: number;
  width: number;
}

/**
 * Fused multi-head attention (no gradient of its own: use inside a custom gradient): qkv `[B·T, 3w]` (q | k | v),
 * mask `[T, T]` or null → o `[B·T, w]` (heads side by side, ready for the output projection) and the softmax
 * probabilities p `[B·H, T, Tp]` for {@link fusedAttentionGrad}.
 */
export function fusedAttention(
  qkv: tf.Tensor2D,
  mask: tf.Tensor2D | null,
  s: FusedAttentionShape,
): { o: tf.Tensor2D; p: tf.Tensor3D } {
  const inputs: tf.NamedTensorMap = mask ? { qkv, mask } : { qkv };
  const [o, p] = run<tf.Tensor[]>("PpadAttention", inputs, { ...s, hasMask: mask ? 1 : 0 });
  return { o: o as tf.Tensor2D, p: p as tf.Tensor3D };
}

/** Gradient of {@link fusedAttention} with respect to qkv: dy `[B·T, w]` → dqkv `[B·T, 3w]`. */
export function fusedAttentionGrad(
  qkv: tf.Tensor2D,
  p: tf.Tensor3D,
  dy: tf.Tensor,
  s: FusedAttentionShape,
): tf.Tensor2D {
  return run<tf.Tensor2D>("PpadAttentionGrad", { qkv, p, dy }, { ...s });
}

/**
 * A `[K, N]` matrix (N % 8 = 0) packed in panels of 8 columns, `[N/8 · K · 8]` (panel p holds columns 8p…8p+7 of
 * every row, row after row), so that the linear kernel reads each panel contiguously. `transposed`: `m` is `[N, K]`
 * and its transpose is packed. Done on the host from the matrix's values, with no tfjs op: preparing a frozen model
 * inside a gradient tape records nothing (a recorded reshape would keep a copy of every matrix until the tape ends).
 */
export function packPanels(m: tf.Tensor2D, transposed = false): tf.Tensor1D {
  const [rows, cols] = m.shape;
  const [k, n] = transposed ? [cols, rows] : [rows, cols];
  if (n % 8 !== 0) throw new RangeError(`Cannot pack a [${k}, ${n}] matrix in panels: columns must be a multiple of 8`);
  const src = m.dataSync() as Float32Array;
  const out = new Float32Array(n * k);
  let o = 0;
  for (let p = 0; p < n; p += 8) {
    for (let r = 0; r < k; r++) {
      if (transposed) { for (let c = 0; c < 8; c++) out[o++] = src[(p + c) * cols + r]; }
      else for (let c = 0; c < 8; c++) out[o++] = src[r * cols + p + c];
    }
  }
  return tf.tensor1d(out);
}

/**
 * A frozen weight for {@link fusedLinear}: y = x·matrixᵀ (`transpose`, as `nn.Linear` with a PyTorch-layout matrix
 * `[out, in]`) or x·matrix; `packed` holds the right-hand factor in panels ({@link packPanels}) for the wasm kernels,
 * `matrix` itself serves a native BLAS.
 */
export interface LinearWeight {
  matrix: tf.Tensor2D;
  transpose: boolean;
  packed: tf.Tensor1D;
}

/** Packs `matrix` for {@link fusedLinear} (x·matrixᵀ with `transpose`, else x·matrix); the matrix is not copied. */
export function linearWeight(matrix: tf.Tensor2D, transpose: boolean): LinearWeight {
  return {
    matrix,
    transpose,
    packed: packPanels(matrix, transpose),
  };
}

/**
 * x `[rows, K]` · W + bias `[N]` + res `[rows, N]` → `[rows, N]` (bias and res optional), W a {@link LinearWeight};
 * no gradient of its own. The engine's packed-panel kernel, or the native BLAS when one is on ({@link nativeBlas}).
 */
export function fusedLinear(x: tf.Tensor, w: LinearWeight, bias: tf.Tensor | null, res: tf.Tensor | null): tf.Tensor2D {
  const outputs = w.transpose ? w.matrix.shape[0] : w.matrix.shape[1];
  const inputs: tf.NamedTensorMap = { x, w: w.packed, matrix: w.matrix };
  if (bias) inputs.bias = bias;
  if (res) inputs.res = res;
  return run<tf.Tensor2D>("PpadLinear", inputs, { outputs, transpose: w.transpose ? 1 : 0 });
}

/** QuickGELU h·σ(1.702h), elementwise: h `[rows, n]` (n % 4 = 0) → `[rows, n]`. */
export function fusedGelu(h: tf.Tensor): tf.Tensor {
  return run<tf.Tensor>("PpadGelu", { h });
}

/** QuickGELU's gradient: h, dy `[rows, n]` → dh `[rows, n]`. */
export function fusedGeluGrad(h: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return run<tf.Tensor>("PpadGeluGrad", { h, dy });
}

/** Layer norm (eps 1e-5): x `[rows, w]` (w % 4 = 0), g, b `[w]` → y `[rows, w]`, stats `[rows, 2]` (mean, 1/std). */
export function fusedLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): { y: tf.Tensor2D; stats: tf.Tensor2D } {
  const [y, stats] = run<tf.Tensor[]>("PpadLayerNorm", { x, g, b });
  return { y: y as tf.Tensor2D, stats: stats as tf.Tensor2D };
}

/** Layer norm's input gradient plus a residual gradient: x, dy `[rows, w]`, stats `[rows, 2]`, g `[w]`, res or null. */
export function fusedLayerNormGrad(
  x: tf.Tensor,
  stats: tf.Tensor,
  g: tf.Tensor,
  dy: tf.Tensor,
  res: tf.Tensor | null,
): tf.Tensor2D {
  const inputs: tf.NamedTensorMap = res ? { x, stats, g, dy, res } : { x, stats, g, dy };
  return run<tf.Tensor2D>("PpadLayerNormGrad", inputs);
}
