/**
 * One process of {@link measureSimdCeiling}: `deno run simd_ceiling_process.ts ITERATIONS REPEATS RELAXED` times the
 * SIMD ceiling loop on its thread and prints its GFLOP/s.
 * @module
 */
import { measureOnThisThread } from "./simd_ceiling.ts";

if (import.meta.main) {
  const [iterations, repeats, relaxed] = Deno.args;
  console.log(measureOnThisThread(Number(iterations), Number(repeats), relaxed === "true"));
}
