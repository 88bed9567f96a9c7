/**
 * Starts tfjs-wasm's threaded SIMD build under Deno, which does not work as shipped (tfjs #3830):
 * - Emscripten hands its pthread workers `blob:` URLs (the worker script and the main module as a `Blob`), which Deno's
 *   `node:worker_threads` rejects: while the backend initialises, string Blobs are also written to real files and
 *   `URL.createObjectURL` returns those paths (the worker gets the module's path instead of the Blob);
 * - the worker script assigns `location` and friends on Deno's worker global, where they are read-only: those
 *   assignments are made tolerant; the module's source refers to bundler aliases (`require$$0`, `commonjsGlobal`)
 *   defined outside the factory: a prelude defines them in the worker;
 * - a pool worker sometimes exits before running its script: it is respawned and sent its messages again;
 * - the pool's workers are unref'd once the backend is up, so that a script ends when its work does;
 * - xnnpack's pool is capped at logical cores / 2 (= 1 on a 2-vCPU machine): `os.cpus()` reports twice the CPUs while
 *   the module starts, and the thread count is set explicitly.
 * Everything patched is restored once the backend is up. Call before the first `tf.setBackend("wasm")`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import wt from "node:worker_threads";
import os from "node:os";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { join } from "./util/mod.ts";

type Patchable = Record<string, unknown>;

/** The bundler's top-level aliases the factory source uses, read from the bundle Deno loaded (fallback: 4.22.0's). */
function bundlePrelude(): string {
  let map: [string, string][] = [["0", "fs"], ["1", "path"], ["3", "perf_hooks"], ["4", "os"]];
  try {
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    const found = [...Deno.readTextFileSync(main).matchAll(/var require\$\$(\d+) = require\('([\w:/_-]+)'\);/g)];
    if (found.length > 0) map = found.map((m) => [m[1], m[2]]);
  } catch { /* keep the fallback */ }
  return "var commonjsGlobal=globalThis;" +
    map.map(([n, mod]) => `var require$$${n}=require(${JSON.stringify(mod)});`).join("") +
    "\n";
}

/** Starts the threaded wasm backend with `threads` threads; resolves to the thread count xnnpack reports. */
export async function initThreadedWasm(threads: number, timeoutMs = 30_000): Promise<number> {
  // Scripts for the worker pool; every pool worker has read them once the backend is up, so they go then.
  const dir = Deno.makeTempDirSync({ prefix: "ppad_wasm_threads_" });
  const OrigBlob = globalThis.Blob;
  const origCreate = URL.createObjectURL;
  const OrigWorker = wt.Worker;
  const origCpus = os.cpus;
  const paths = new Map<Blob, string>();
  const prelude = bundlePrelude();
  const workers: { unref(): void }[] = [];
  let count = 0;

  class FileBlob extends OrigBlob {
    constructor(parts: BlobPart[] = [], options?: BlobPropertyBag) {
      super(parts, options);
      if (!parts.every((p) => typeof p === "string")) return;
      let text = (parts as string[]).join("");
      text = text.replace(
        "Object.assign(global,{",
        "((t,s)=>{for(const k of Object.keys(s)){try{t[k]=s[k]}catch(e){}}return t})(global,{",
      );
      if (text.startsWith("var WasmBackendModuleThreadedSimd")) text = prelude + text;
      const path = join(dir, `script${count++}.cjs`);
      Deno.writeTextFileSync(path, text);
      paths.set(this, path);
    }
  }

  class RespawningWorker extends EventEmitter {
    #path: string;
    #options: unknown;
    #inner!: InstanceType<typeof OrigWorker>;
    #alive = false;
    #sent: unknown[] = [];
    onmessage: unknown = null;
    onerror: unknown = null;

    constructor(path: string, options?: unknown) {
      super();
      this.#path = path;
      this.#options = options;
      this.#spawn();
      workers.push(this);
    }

    #spawn(): void {
      const w = new OrigWorker(this.#path, this.#options as ConstructorParameters<typeof OrigWorker>[1]);
      this.#inner = w;
      w.on("message", (m: unknown) => {
        this.#alive = true;
        this.emit("message", m);
      });
      w.on("error", (e: unknown) => this.emit("error", e));
      w.on("exit", (code: number) => {
        if (w !== this.#inner) return;
        if (!this.#alive) {
          // Died before running its script: start another and replay what it was sent.
          this.#spawn();
          for (const m of this.#sent) this.#inner.postMessage(m);
          return;
        }
        this.emit("exit", code);
      });
    }

    postMessage(message: unknown, transfer?: readonly Transferable[]): void {
      let m = message;
      const blob = (m as { urlOrBlob?: unknown } | null)?.urlOrBlob;
      if (blob instanceof OrigBlob && paths.has(blob)) m = { ...(m as object), urlOrBlob: paths.get(blob) };
      if (!this.#alive) this.#sent.push(m);
      this.#inner.postMessage(m, transfer as never);
    }

    terminate(): Promise<number> {
      return this.#inner.terminate();
    }

    ref(): void {
      this.#inner.ref();
    }

    unref(): void {
      this.#inner.unref();
    }
  }

  globalThis.Blob = FileBlob as typeof Blob;
  URL.createObjectURL = (obj: Blob | MediaSource) => (obj instanceof OrigBlob && paths.get(obj)) || origCreate(obj);
  (wt as unknown as Patchable).Worker = RespawningWorker;
  (os as unknown as Patchable).cpus = () => [...origCpus(), ...origCpus()];
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasmBackend.setThreadsCount(threads);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ok = await Promise.race([
      tf.setBackend("wasm"),
      new Promise<boolean>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from the worker pool in ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    if (!ok) throw new Error("the threaded module failed to initialise");
    await tf.ready();
    // The pool's workers would keep the process alive after a script's last line: let it exit on its own.
    for (const w of workers) w.unref();
    return wasmBackend.getThreadsCount();
  } finally {
    clearTimeout(timer);
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
    globalThis.Blob = OrigBlob;
    URL.createObjectURL = origCreate;
    (wt as unknown as Patchable).Worker = OrigWorker;
    (os as unknown as Patchable).cpus = origCpus;
  }
}

/** Forgets a failed threaded start so that the next `tf.setBackend("wasm")` loads the single-thread SIMD build. */
export function resetToSingleThread(): void {
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  wasmBackend.setThreadsCount(-1);
}
