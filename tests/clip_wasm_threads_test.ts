/**
 * The threaded wasm build under Deno (lib/backend_wasm_threads.ts): it starts, computes what the single-thread build
 * computes, lets a script exit on its own, and PPAD_WASM_THREADS=1 selects the single-thread build.
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const SCRIPT = `
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "${join(PROJECT_ROOT, "lib", "backend.ts")}";
const info = await initBackend("wasm", { quiet: true });
const a = tf.tensor2d(Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i)), [300, 200]);
const b = tf.tensor2d(Array.from({ length: 200 * 100 }, (_, i) => Math.cos(i)), [200, 100]);
const s = tf.sum(tf.matMul(a, b)).dataSync()[0];
console.log(JSON.stringify({ threads: info.threads, description: info.description, sum: s }));
`;

async function run(env: Record<string, string>): Promise<{ threads: number; description: string; sum: number }> {
  const dir = await Deno.makeTempDir({ prefix: "wasm_threads_" });
  try {
    const file = join(dir, "probe.ts");
    await Deno.writeTextFile(file, SCRIPT);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), file],
      cwd: PROJECT_ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("wasm threads: the threaded build starts, matches the single-thread build, and the script exits by itself", async () => {
  const single = await run({ PPAD_WASM_THREADS: "1" });
  assertEquals(single.threads, 1);
  assert(single.description.includes("1 thread"), single.description);
  const threaded = await run({ PPAD_WASM_THREADS: "2" });
  assertEquals(threaded.threads, 2, threaded.description);
  assertEquals(threaded.description, "wasm (SIMD, 2 threads)");
  assert(Math.abs(threaded.sum - single.sum) <= 1e-3 * Math.abs(single.sum), `${threaded.sum} vs ${single.sum}`);
});
