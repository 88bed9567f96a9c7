/**
 * The ceiling of WebAssembly's 128-bit SIMD on this machine: a loop of independent multiply-adds on 12 v128
 * accumulators (no memory traffic, the register tile of the engine's linear kernel), timed on one thread and on
 * several at once (one Deno process each). What no wasm kernel can beat, to set the engine's measured speed against.
 * @module
 */
import { assemble, code, F32, forLoop, FunctionBuilder, I32, op, V128 } from "./asm.ts";
import { relaxedSimdSupported } from "./kernels.ts";

/** Accumulators in the loop: the 6 × 8 register tile of the linear kernel (12 v128 registers). */
const ACCUMULATORS = 12;

/**
 * A module exporting `peak(iterations) → f32`: per iteration 12 multiply-adds of 4 lanes (fused with relaxed SIMD when
 * `relaxed`, else multiply then add), returning a lane of their sum so nothing is dead code.
 */
export function ceilingModule(relaxed: boolean): Uint8Array {
  const f = new FunctionBuilder([I32], [F32]);
  const i = f.local(I32);
  const acc = f.many(V128, ACCUMULATORS);
  const [a, b] = f.many(V128, 2);
  const madd = (k: number) =>
    relaxed
      ? code(op.localGet(a), op.localGet(b), op.localGet(k), op.f32x4RelaxedMadd, op.localSet(k))
      : code(op.localGet(a), op.localGet(b), op.f32x4Mul, op.localGet(k), op.f32x4Add, op.localSet(k));
  const body = code(
    op.f32(0.999), // a·b < 1 keeps the accumulators finite for any count
    op.f32x4Splat,
    op.localSet(a),
    op.f32(1e-7),
    op.f32x4Splat,
    op.localSet(b),
    forLoop(i, op.i32(0), op.localGet(0), op.i32(1), ...acc.map(madd)),
    op.localGet(acc[0]),
    ...acc.slice(1).map((k) => code(op.localGet(k), op.f32x4Add)),
    op.f32x4ExtractLane(0),
  );
  // The module declares a memory (the assembler always imports one); the loop never touches it.
  return assemble([f.build(body, "peak")], { shared: false, maxPages: 1 });
}

/** Floating-point operations of one `peak` iteration: 12 accumulators × 4 lanes × (multiply + add). */
export const FLOPS_PER_ITERATION = ACCUMULATORS * 4 * 2;

/** One measurement of the ceiling. */
export interface SimdCeiling {
  /** Threads running the loop at once. */
  threads: number;
  /** Whether the loop used relaxed-SIMD fused multiply-add. */
  fma: boolean;
  /** Total GFLOP/s over all threads (best of the repeats). */
  gflops: number;
}

/** GFLOP/s of `iterations` of the loop on this thread, best of `repeats` (after one warm-up call). */
export function measureOnThisThread(iterations: number, repeats: number, relaxed = relaxedSimdSupported()): number {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(ceilingModule(relaxed) as BufferSource), {
    env: { memory },
  });
  const peak = instance.exports.peak as (n: number) => number;
  peak(Math.min(iterations, 1e6));
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    peak(iterations);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (iterations * FLOPS_PER_ITERATION) / best / 1e9;
}

/**
 * The ceiling on `threads` threads at once (one Deno process each, timing its own loop; the sum of their rates), best
 * of `repeats`; `threads` 1 runs on the calling thread. Processes, not workers: tfjs' threaded wasm build replaces
 * the global `Worker` with Node's once its backend starts.
 */
export async function measureSimdCeiling(
  threads: number,
  options: { iterations?: number; repeats?: number } = {},
): Promise<SimdCeiling> {
  const iterations = options.iterations ?? 2e8;
  const repeats = options.repeats ?? 3;
  const fma = relaxedSimdSupported();
  if (threads <= 1) return { threads: 1, fma, gflops: measureOnThisThread(iterations, repeats, fma) };
  const script = new URL("./simd_ceiling_process.ts", import.meta.url).pathname;
  const rates = await Promise.all(Array.from({ length: threads }, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", script, String(iterations), String(repeats), String(fma)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const rate = Number(new TextDecoder().decode(out.stdout).trim());
    if (out.code !== 0 || !Number.isFinite(rate)) {
      throw new Error(`SIMD ceiling process failed: ${new TextDecoder().decode(out.stderr).trim().split("\n")[0]}`);
    }
    return rate;
  }));
  return { threads, fma, gflops: rates.reduce((s, r) => s + r, 0) };
}
