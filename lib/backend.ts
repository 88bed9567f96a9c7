/**
 * Chooses and initialises the TensorFlow.js backend: `wasm` (default, CPU), `webgpu` (Deno's `navigator.gpu`), `cpu`
 * (pure JS, tests) or `tensorflow` (`@tensorflow/tfjs-node-gpu`, falling back to `@tensorflow/tfjs-node`, only when installed).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { InputError, join, pathExists, PROJECT_ROOT } from "./util/mod.ts";
import { initThreadedWasm, resetToSingleThread } from "./backend_wasm_threads.ts";

/** The backends the platform knows. */
export const BACKENDS = ["wasm", "webgpu", "cpu", "tensorflow"] as const;
/** One of {@link BACKENDS}. */
export type BackendName = typeof BACKENDS[number];

/** What was initialised: the tfjs backend name and a human description (threads, adapter). */
export interface BackendInfo {
  name: BackendName;
  /** The name tfjs reports (`wasm`, `webgpu`, `cpu`, `tensorflow`). */
  tfName: string;
  /** One-line description, e.g. `wasm (SIMD, 1 thread: …)` or `webgpu (NVIDIA H200)`. */
  description: string;
  threads?: number;
  adapter?: string;
}

let current: BackendInfo | null = null;

/** Validates a backend name from a flag or environment variable. */
export function parseBackend(value: string, source = "--backend"): BackendName {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new InputError(`Cannot use ${source} ${JSON.stringify(value)}: expected one of ${BACKENDS.join(", ")}`);
}

/** The requested backend: the argument, else `PPAD_BACKEND`, else `wasm`. */
export function requestedBackend(flag?: string): BackendName {
  if (flag) return parseBackend(flag);
  const env = Deno.env.get("PPAD_BACKEND");
  if (env) return parseBackend(env, "PPAD_BACKEND");
  return "wasm";
}

async function initWasm(): Promise<BackendInfo> {
  // The module (threaded or not) loads once per process; switching back to wasm reuses it.
  if (wasmInfo) {
    if (!await tf.setBackend("wasm")) throw new Error("Cannot switch to backend wasm: tfjs reported a failure");
    return wasmInfo;
  }
  // The threaded build does not start under Deno as shipped (tfjs #3830); backend_wasm_threads.ts works around it.
  // PPAD_WASM_THREADS: thread count (default: the CPU count, at most 4); 1 forces the single-thread SIMD build.
  const sab = typeof SharedArrayBuffer !== "undefined";
  const wanted = Number(Deno.env.get("PPAD_WASM_THREADS") ?? Math.min(4, navigator.hardwareConcurrency || 1));
  let reason = sab ? `PPAD_WASM_THREADS=${wanted}` : "SharedArrayBuffer is unavailable";
  if (sab && Number.isInteger(wanted) && wanted > 1) {
    try {
      const threads = await initThreadedWasm(wanted);
      wasmInfo = { name: "wasm", tfName: "wasm", threads, description: `wasm (SIMD, ${threads} threads)` };
      return wasmInfo;
    } catch (err) {
      reason = `the threaded build failed to start: ${(err as Error).message.split("\n")[0]}`;
      resetToSingleThread();
    }
  }
  if (!await tf.setBackend("wasm")) throw new Error("Cannot initialise backend wasm: tfjs reported a failure");
  await tf.ready();
  wasmInfo = { name: "wasm", tfName: "wasm", threads: 1, description: `wasm (SIMD, 1 thread: ${reason})` };
  return wasmInfo;
}

/** The wasm module loaded in this process, if any (its build, threaded or not, cannot change afterwards). */
let wasmInfo: BackendInfo | null = null;

async function initWebgpu(): Promise<BackendInfo> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) throw new InputError("Cannot use backend webgpu: navigator.gpu is missing in this runtime");
  const adapter = await gpu.requestAdapter() as
    | { info?: { vendor?: string; device?: string; description?: string } }
    | null;
  if (!adapter) {
    throw new InputError(
      "Cannot use backend webgpu: no GPU adapter found (on Linux install libvulkan1 and a Vulkan driver)",
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  await tf.setBackend("webgpu");
  await tf.ready();
  const info = adapter.info ?? {};
  const name = [info.vendor, info.device || info.description].filter(Boolean).join(" ") || "unknown adapter";
  return { name: "webgpu", tfName: "webgpu", adapter: name, description: `webgpu (adapter: ${name})` };
}

async function initCpu(): Promise<BackendInfo> {
  await tf.setBackend("cpu");
  await tf.ready();
  return { name: "cpu", tfName: "cpu", description: "cpu (pure JavaScript; for tests)" };
}

async function initTensorflow(): Promise<BackendInfo> {
  const candidates = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];
  for (const pkg of candidates) {
    if (!await pathExists(join(PROJECT_ROOT, "node_modules", pkg, "package.json"))) continue;
    try {
      const spec = `npm:${pkg}@4.22.0`;
      await import(spec);
      await tf.setBackend("tensorflow");
      await tf.ready();
      return { name: "tensorflow", tfName: "tensorflow", description: `tensorflow (${pkg}, libtensorflow native)` };
    } catch (err) {
      throw new InputError(
        `Cannot use backend tensorflow: ${pkg} is installed but failed to load (${
          (err as Error).message.split("\n")[0]
        }); ` +
          "run with --allow-ffi and check that libtensorflow was downloaded at install time",
      );
    }
  }
  throw new InputError(
    "Cannot use backend tensorflow: @tensorflow/tfjs-node-gpu is not installed; install it where the internet is reachable with " +
      "`deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu@4.22.0 npm:@tensorflow/tfjs-node-gpu@4.22.0` " +
      "(needs CUDA 11.2 + cuDNN 8.1; or @tensorflow/tfjs-node for CPU) and run with --allow-ffi",
  );
}

/**
 * Initialises the backend once per process and prints one line saying which (to stderr, unless `quiet`).
 * Calling it again with the same name returns the cached info; another name switches backends.
 */
export async function initBackend(name: BackendName = requestedBackend(), options: { quiet?: boolean } = {}): Promise<
  BackendInfo
> {
  if (current?.name === name && tf.getBackend() === current.tfName) return current;
  const init = { wasm: initWasm, webgpu: initWebgpu, cpu: initCpu, tensorflow: initTensorflow }[name];
  current = await init();
  if (!options.quiet && Deno.env.get("PPAD_QUIET") !== "1") console.error(`backend: ${current.description}`);
  return current;
}

/** The backend initialised last, or null. */
export function currentBackend(): BackendInfo | null {
  return current;
}

/** Whether a WebGPU adapter exists in this process (tests skip webgpu parity without one). */
export async function hasWebgpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}
