/**
 * `deno task bench [--backend wasm|webgpu|cpu|tensorflow] [--batch 8,64] [--rounds N] [--iters N] [--quick]
 * [--arch vit-b-32|ppad-mini|mini] [--torch auto|off|PYTHON] [--out FILE]`: images per second of the CLIP engine with
 * random weights, side by side with PyTorch on the same machine when `python3` can import `torch`:
 * (1) the image forward pass, (2) PPAD's image-prompt training step — patch tokens outside each image's region replaced
 * by learned prompt tokens, forward through the frozen image tower, BCE on the logits against two fixed text features,
 * backward to the prompts only (no text tower, in both) — and (3) our text tower on 10 prompts (ours only).
 * Ours and PyTorch's measurements alternate (ABBA over `--rounds`), so that noise from other processes hits both; the
 * ratio is ours ÷ PyTorch's images per second, from the median seconds per iteration of each. Where a native CBLAS
 * opens (`--blas auto`: OpenBLAS, BLIS, MKL), ours is timed a second time with its linear layers there ("ours + BLAS",
 * the opt-in `PPAD_BLAS`), in the same alternation.
 * On wasm it also times the 128-bit SIMD ceiling (register-only multiply-adds, one thread and all) and gives the
 * forward pass in GFLOP/s as a share of it.
 * Prints a markdown table naming the machine and backend; writes JSON to `results/bench/<backend>.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, requestedBackend } from "../lib/backend.ts";
import { CLIP_ARCHS, type ClipArchName, type ClipConfig, ClipModel } from "../lib/encoders/mod.ts";
import {
  imageForwardFlops,
  measureSimdCeiling,
  openNativeBlas,
  setNativeBlasEnabled,
  type SimdCeiling,
} from "../lib/encoders/clip/mod.ts";
import {
  choiceFlag,
  defineCommand,
  ensureOutFile,
  InputError,
  join,
  machineDescription,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  relative,
  Rng,
  runMain,
  writeFileAtomic,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "bench",
  summary: "images per second of the CLIP engine (random weights) beside PyTorch on the same machine: image forward " +
    "pass and PPAD's image-prompt training step (forward + backward to the prompts through the frozen image tower), " +
    "alternating ours and PyTorch's, with the ratio; our text tower; on wasm, the SIMD ceiling of the machine and the " +
    "forward pass in GFLOP/s against it.",
  flags: {
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
    batch: {
      type: "string",
      arg: "8,64",
      description: "batch sizes, comma-separated",
      default: "8,64 (8 with --quick)",
    },
    rounds: {
      type: "string",
      arg: "N",
      description: "alternating rounds per measurement (ours, PyTorch, PyTorch, ours, …)",
      default: "2 (1 with --quick)",
    },
    iters: {
      type: "string",
      arg: "N",
      description: "timed iterations per round (≥ 1; batches ≥ 32 take 1)",
      default: "2 (1 with --quick)",
    },
    quick: { type: "boolean", description: "one small batch, one round of one iteration" },
    arch: { type: "string", arg: "NAME", description: "vit-b-32, ppad-mini or mini", default: "vit-b-32" },
    blas: {
      type: "string",
      arg: "auto|off|LIB",
      description: "also time ours with its linear layers in a native CBLAS (as PPAD_BLAS), where one opens",
      default: "auto",
    },
    torch: {
      type: "string",
      arg: "auto|off|PYTHON",
      description: "PyTorch reference: auto (PPAD_PYTHON, python3, /usr/bin/python3), off, or a python executable",
      default: "auto",
    },
    out: { type: "string", arg: "FILE", description: "JSON output", default: "results/bench/<backend>.json" },
    seed: { type: "string", arg: "S", description: "seed of the random weights and inputs", default: 0 },
  },
  examples: [
    "deno task bench",
    "deno task bench --batch 8 --rounds 3",
    "deno task bench --backend cpu --arch mini --quick --torch off --out /tmp/bench.json",
  ],
});

/** The Python reference script, kept in the project. */
const TORCH_SCRIPT = join(PROJECT_ROOT, "bench", "torch_reference.py");

/** Timings of one implementation for one workload. */
export interface Timing {
  /** Seconds of each iteration, in the order they ran. */
  seconds: number[];
  /** batch / median seconds: images (or prompts, for `text`) per second. */
  perSecond: number;
}

/**
 * One workload at one batch: ours (the engine's own wasm kernels), ours with a native BLAS for the linear layers
 * (null when none opened), PyTorch's (null without torch, and for `text`), and the ratios to PyTorch's rate.
 */
export interface BenchRecord {
  kind: "forward" | "forward+backward" | "text";
  batch: number;
  ours: Timing;
  oursBlas: Timing | null;
  torch: Timing | null;
  /** ours.perSecond / torch.perSecond, or null. */
  ratio: number | null;
  /** oursBlas.perSecond / torch.perSecond, or null. */
  ratioBlas: number | null;
}

/** The PyTorch side as the reference script reports it. */
export interface TorchInfo {
  python: string;
  torch: string;
  threads: number;
  /** The BLAS library torch loaded (OpenBLAS, BLIS, MKL, or netlib's slow reference BLAS). */
  blas: string;
}

function parseBatches(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const out = value.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new InputError(`Cannot use --batch ${JSON.stringify(value)}: expected positive integers separated by commas`);
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timing(batch: number, seconds: number[]): Timing {
  return { seconds, perSecond: batch / median(seconds) };
}

/** Runs `fn` (which must wait for its results) `iterations` times; seconds of each. */
async function timeIt(iterations: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// The PyTorch reference process

/** A running `bench/torch_reference.py`, spoken to in JSON lines. */
class TorchReference {
  #info: TorchInfo;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;

  private constructor(child: Deno.ChildProcess, lines: AsyncIterator<string>, info: TorchInfo) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.#info = info;
  }

  /** What the reference runs on. */
  get info(): TorchInfo {
    return this.#info;
  }

  /** Starts the script with `python`, builds `config` with `threads` threads; null when torch does not import. */
  static async start(
    python: string,
    config: ClipConfig,
    threads: number,
    seed: number,
  ): Promise<TorchReference | null> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(python, {
        args: [TORCH_SCRIPT, "--threads", String(threads)],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch {
      return null; // no such executable
    }
    const lines = readLines(child.stdout);
    const ref = new TorchReference(child, lines, { python, torch: "", threads, blas: "" });
    const answer = await ref.#ask({ cmd: "setup", config, threads, seed }).catch(() => null);
    if (!answer || answer.ok !== true) {
      await ref.close();
      return null;
    }
    ref.#info = { python, torch: String(answer.torch), threads: Number(answer.threads), blas: String(answer.blas) };
    return ref;
  }

  async #ask(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
    const { value, done } = await this.#lines.next();
    if (done) throw new Error("Cannot run the PyTorch reference: the process ended");
    return JSON.parse(value) as Record<string, unknown>;
  }

  /** Seconds of each of `iterations` runs of `kind` at `batch`, timed inside Python. */
  async run(kind: "forward" | "step", batch: number, iterations: number): Promise<number[]> {
    const answer = await this.#ask({ cmd: "run", kind, batch, iterations });
    if (answer.ok !== true) throw new Error(`Cannot run the PyTorch reference: ${answer.error}`);
    return answer.seconds as number[];
  }

  /** Ends the process. */
  async close(): Promise<void> {
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify({ cmd: "quit" }) + "\n"));
      await this.#writer.close();
    } catch { /* already gone */ }
    await this.#child.status;
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
}

/** The candidates for `--torch auto`: `PPAD_PYTHON`, then `python3` on PATH, then Debian's `/usr/bin/python3`. */
function pythonCandidates(flag: string): string[] {
  if (flag === "off") return [];
  if (flag !== "auto") return [flag];
  const env = Deno.env.get("PPAD_PYTHON");
  return [...(env ? [env] : []), "python3", "/usr/bin/python3"];
}

// ---------------------------------------------------------------------------------------------------------------------
// Our workloads

/** Inputs of one step at batch `b`: pixels, keep mask (one region per image) and labels. */
interface StepInputs {
  pixels: tf.Tensor4D;
  keep: tf.Tensor2D;
  labels: tf.Tensor2D;
  dispose(): void;
}

/** keep `[b, grid²]`: image i sees region i mod 5 (left, right, upper, lower half, whole), as the Python side. */
function regionKeep(b: number, g: number): Float32Array {
  const keep = new Float32Array(b * g * g);
  const mid = (g - 1) / 2;
  for (let i = 0; i < b; i++) {
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++) {
        const inside = [x <= mid, x >= mid, y <= mid, y >= mid, true][i % 5];
        keep[i * g * g + y * g + x] = inside ? 1 : 0;
      }
    }
  }
  return keep;
}

function makeInputs(rng: Rng, b: number, config: ClipConfig): StepInputs {
  const r = config.imageResolution, g = config.grid;
  const pixels = tf.tensor4d(rng.normalArray(b * r * r * 3), [b, r, r, 3]);
  const keep = tf.tensor2d(regionKeep(b, g), [b, g * g]);
  const labels = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Array.from({ length: b }, () => rng.int(0, 1)), "int32"), 2).toFloat()
  ) as tf.Tensor2D;
  return { pixels, keep, labels, dispose: () => tf.dispose([pixels, keep, labels]) };
}

/** Random text ids `[n][ctx]`: SOT, `length` ids, EOT, zero padding (the tokenizer is not needed to time the tower). */
function syntheticIds(rng: Rng, n: number, config: ClipConfig, length: (i: number) => number): number[][] {
  const sot = config.vocabSize - 2, eot = config.vocabSize - 1;
  return Array.from({ length: n }, (_, i) => {
    const row = new Array(config.contextLength).fill(0);
    const len = Math.min(length(i), config.contextLength - 2);
    row[0] = sot;
    for (let j = 1; j <= len; j++) row[j] = rng.int(1, config.vocabSize - 3);
    row[len + 1] = eot;
    return row;
  });
}

/** Runs `deno task bench` with `args`: measures the CLIP engine (and PyTorch beside it) and prints the table. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const quick = values.quick === true;
  const batches = parseBatches(values.batch as string | undefined, quick ? [8] : [8, 64]);
  const iters = numberFlag("iters", values.iters, quick ? 1 : 2, { min: 1, integer: true });
  const rounds = numberFlag("rounds", values.rounds, quick ? 1 : 2, { min: 1, integer: true });
  const seed = numberFlag("seed", values.seed, 0, { integer: true });
  const archName = choiceFlag("arch", values.arch, Object.keys(CLIP_ARCHS), "vit-b-32") as ClipArchName;
  const torchFlag = (values.torch as string | undefined) ?? "auto";
  const blasFlag = (values.blas as string | undefined) ?? "auto";
  const config: ClipConfig = { ...CLIP_ARCHS[archName] };
  if (values.out !== undefined) await ensureOutFile(values.out, "--out");
  if (torchFlag.includes("/") && !(await Deno.stat(torchFlag).then((st) => st.isFile, () => false))) {
    throw new InputError(`Cannot benchmark against --torch ${torchFlag}: no such file`);
  }

  const info = await initBackend(requestedBackend(values.backend as string | undefined));
  const host = machineDescription();
  const loadAtStart = Deno.loadavg();
  const threads = info.threads ?? navigator.hardwareConcurrency;
  // Ours is the engine's own kernels; with a native BLAS opened, ours again with the linear layers there.
  const blasLib = info.name === "wasm" && blasFlag !== "off" ? openNativeBlas(blasFlag) : null;
  if (!blasLib && info.name === "wasm" && blasFlag !== "off" && blasFlag !== "auto") {
    throw new InputError(`Cannot benchmark with --blas ${blasFlag}: no CBLAS library could be opened there`);
  }
  setNativeBlasEnabled(false);
  const blasNote = blasLib
    ? `ours + BLAS: the linear layers in ${blasLib} (native, through FFI; PPAD_BLAS)`
    : `ours + BLAS: ${blasFlag === "off" ? "off (--blas off)" : "no native CBLAS opened"}`;
  console.error(`bench: ${blasNote}`);
  // What no wasm kernel can beat here: 128-bit multiply-adds on registers only, one thread and all of them at once.
  const ceiling: SimdCeiling[] = [];
  if (info.name === "wasm") {
    for (const n of new Set([1, threads])) ceiling.push(await measureSimdCeiling(n, { iterations: quick ? 5e7 : 2e8 }));
    console.error(`bench: ${ceilingNote(ceiling)}`);
  }
  const rng = new Rng(seed);
  let t0 = performance.now();
  const model = ClipModel.random(config, rng.fork());
  const initSeconds = (performance.now() - t0) / 1000;
  console.error(`bench: ${archName} random weights built in ${initSeconds.toFixed(1)} s on ${host}`);

  let torch: TorchReference | null = null;
  for (const python of pythonCandidates(torchFlag)) {
    torch = await TorchReference.start(python, config, threads, seed);
    if (torch) break;
  }
  if (!torch && torchFlag !== "off" && torchFlag !== "auto") {
    model.dispose();
    throw new InputError(`Cannot benchmark against --torch ${torchFlag}: it does not start, or cannot import torch`);
  }
  const torchNote = torch
    ? `PyTorch ${torch.info.torch} (${torch.info.python}, ${torch.info.threads} threads, BLAS ${torch.info.blas})`
    : torchFlag === "off"
    ? "PyTorch: off (--torch off); ours alone"
    : `PyTorch: not found (no ${pythonCandidates(torchFlag).join(" / ")} that imports torch); ours alone`;
  console.error(`bench: ${torchNote}`);
  if (torch && /netlib|\/blas\/libblas/.test(torch.info.blas)) {
    console.error("bench: warning: torch runs on the reference (netlib) BLAS, far slower than OpenBLAS");
  }

  const prompts = tf.variable(
    tf.tensor2d(rng.normalArray(config.grid ** 2 * config.visionWidth, 0, 0.2), [config.grid ** 2, config.visionWidth]),
  );
  // Two fixed, unit-norm text features: the step's logits are exp(logit_scale)·cos against them.
  const text = tf.tidy(() => {
    const t = tf.tensor2d(rng.normalArray(2 * config.embedDim), [2, config.embedDim]);
    return tf.div(t, tf.norm(t, 2, -1, true)) as tf.Tensor2D;
  });

  const forward = async (s: StepInputs) => {
    const f = model.encodeImage(s.pixels);
    await f.data();
    f.dispose();
  };
  const step = async (s: StepInputs) => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const image = model.encodeImageWithPrompts(s.pixels, s.keep, prompts);
        return tf.losses.sigmoidCrossEntropy(s.labels, model.logits(image, text)) as tf.Scalar;
      }), [prompts]);
    await grads[prompts.name].data();
    tf.dispose([value, grads]);
  };

  // Warm-up at the smallest batch: the first call prepares the frozen weights and packs them for the matmul kernel.
  const warm = makeInputs(rng, Math.min(...batches), config);
  t0 = performance.now();
  await forward(warm);
  const firstForward = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await step(warm);
  const firstStep = (performance.now() - t0) / 1000;
  if (blasLib) {
    setNativeBlasEnabled(true);
    await forward(warm);
    await step(warm);
    setNativeBlasEnabled(false);
  }
  if (torch) {
    await torch.run("forward", warm.pixels.shape[0], 1);
    await torch.run("step", warm.pixels.shape[0], 1);
  }
  warm.dispose();
  console.error(
    `bench: first forward ${firstForward.toFixed(2)} s, first prompt step ${firstStep.toFixed(2)} s (warm-up)`,
  );

  const records: BenchRecord[] = [];
  for (const b of batches) {
    const s = makeInputs(rng, b, config);
    const n = b >= 32 ? 1 : iters;
    for (const kind of ["forward", "forward+backward"] as const) {
      const run = (s2: StepInputs) => kind === "forward" ? forward(s2) : step(s2);
      const ours: number[] = [], oursBlas: number[] = [], theirs: number[] = [];
      const runOurs = async () => ours.push(...await timeIt(n, () => run(s)));
      const runBlas = async () => {
        if (!blasLib) return;
        setNativeBlasEnabled(true);
        oursBlas.push(...await timeIt(n, () => run(s)));
        setNativeBlasEnabled(false);
      };
      const runTorch = async () => {
        if (torch) theirs.push(...await torch.run(kind === "forward" ? "forward" : "step", b, n));
      };
      // First touch at this batch for each (allocations, packing), untimed.
      if (b !== Math.min(...batches)) {
        await run(s);
        if (blasLib) {
          setNativeBlasEnabled(true);
          await run(s);
          setNativeBlasEnabled(false);
        }
        if (torch) await torch.run(kind === "forward" ? "forward" : "step", b, 1);
      }
      for (let r = 0; r < rounds; r++) {
        const order = [runOurs, runBlas, runTorch];
        for (const f of r % 2 === 0 ? order : order.reverse()) await f();
      }
      const o = timing(b, ours), ob = blasLib ? timing(b, oursBlas) : null, p = torch ? timing(b, theirs) : null;
      const rec: BenchRecord = {
        kind,
        batch: b,
        ours: o,
        oursBlas: ob,
        torch: p,
        ratio: p ? o.perSecond / p.perSecond : null,
        ratioBlas: p && ob ? ob.perSecond / p.perSecond : null,
      };
      records.push(rec);
      console.error(
        `bench: ${kind} batch ${b}: ours ${o.perSecond.toFixed(2)}/s` +
          (ob ? `, ours + BLAS ${ob.perSecond.toFixed(2)}/s` : "") +
          (p ? `, PyTorch ${p.perSecond.toFixed(2)}/s, ratio ${rec.ratio!.toFixed(2)}` : "") +
          (rec.ratioBlas !== null ? ` (+ BLAS ${rec.ratioBlas.toFixed(2)})` : ""),
      );
    }
    s.dispose();
  }
  const textIds = syntheticIds(rng, 10, config, (i) => 8 + 2 * i);
  const textSeconds = await timeIt(Math.max(iters, 3), async () => {
    const t = model.encodeText(textIds);
    await t.data();
    t.dispose();
  });
  records.push({
    kind: "text",
    batch: 10,
    ours: timing(10, textSeconds),
    oursBlas: null,
    torch: null,
    ratio: null,
    ratioBlas: null,
  });
  tf.dispose([prompts, text]);
  model.dispose();
  await torch?.close();

  const loadAtEnd = Deno.loadavg();
  const result = {
    date: new Date().toISOString(),
    machine: host,
    cores: navigator.hardwareConcurrency,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAtEnd,
    backend: info.description,
    threads,
    arch: archName,
    config,
    randomWeights: true,
    torch: torch?.info ?? null,
    torchNote,
    blas: blasLib,
    blasNote,
    alternation: `${rounds} rounds, ABC then CBA (ours, ours + BLAS, PyTorch), ${iters} iterations per round ` +
      "(1 at batch ≥ 32)",
    workloads: {
      forward: "image features of [B, R, R, 3] pixels through the frozen image tower",
      "forward+backward": `PPAD's image-prompt step: patch tokens outside each image's region (i mod 5: left, right, ` +
        `upper, lower half, whole) replaced by prompt tokens [${config.grid ** 2}, ${config.visionWidth}], ` +
        "exp(logit_scale)·cos against 2 fixed text features, BCE, gradient to the prompts only; no text tower",
      text: "our text tower on 10 prompts (ours only)",
    },
    initSeconds,
    firstForwardSeconds: firstForward,
    firstStepSeconds: firstStep,
    imageForwardGflop: imageForwardFlops(config) / 1e9,
    simdCeiling: ceiling,
    results: records,
  };
  const out = (values.out as string | undefined) ?? join(PROJECT_ROOT, "results", "bench", `${info.name}.json`);
  await writeFileAtomic(out, JSON.stringify(result, null, 2) + "\n");

  const what = (k: BenchRecord["kind"]) =>
    k === "text" ? "text tower (prompts/s)" : k === "forward" ? "image forward (img/s)" : "prompt step fwd+bwd (img/s)";
  const lines = [
    `CLIP ${archName} (random weights) on ${host}; backend ${info.description}; load average ` +
    `${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at start, ${
      loadAtEnd.map((l) => l.toFixed(2)).join(" ")
    } at end`,
    torchNote,
    blasNote,
    "",
    "| measurement | batch | ours | ours + BLAS | PyTorch | ours ÷ PyTorch | ours + BLAS ÷ PyTorch |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...records.map((r) => {
      const f = (x: number | null | undefined) => (x === null || x === undefined ? "–" : x.toFixed(2));
      return `| ${what(r.kind)} | ${r.batch} | ${f(r.ours.perSecond)} | ${f(r.oursBlas?.perSecond)} | ${
        f(r.torch?.perSecond)
      } | ${f(r.ratio)} | ${f(r.ratioBlas)} |`;
    }),
    "",
    ...forwardGflopLines(records, imageForwardFlops(config), ceiling),
    `warm-up: first forward ${firstForward.toFixed(2)} s, first prompt step ${firstStep.toFixed(2)} s; JSON: ${
      relative(Deno.cwd(), out)
    }`,
  ];
  console.log(lines.join("\n"));
}

/** One line: the wasm SIMD ceiling per thread count, and whether it used fused multiply-add. */
function ceilingNote(ceiling: readonly SimdCeiling[]): string {
  return "wasm 128-bit SIMD ceiling (multiply-adds on registers only" + (ceiling[0]?.fma ? ", fused" : "") + "): " +
    ceiling.map((c) => `${c.gflops.toFixed(1)} GFLOP/s on ${c.threads} thread${c.threads > 1 ? "s" : ""}`).join(", ");
}

/** Lines giving the image forward pass in GFLOP/s, ours and PyTorch's, as shares of the wasm ceiling on all threads. */
function forwardGflopLines(records: readonly BenchRecord[], flops: number, ceiling: readonly SimdCeiling[]): string[] {
  const top = ceiling.length ? ceiling[ceiling.length - 1].gflops : null;
  const rate = (perSecond: number) => {
    const g = (perSecond * flops) / 1e9;
    return `${g.toFixed(1)} GFLOP/s` + (top ? ` (${((100 * g) / top).toFixed(0)} % of the ceiling)` : "");
  };
  const lines = records.filter((r) => r.kind === "forward").map((r) =>
    `image forward at batch ${r.batch} (${(flops / 1e9).toFixed(2)} GFLOP per image): ours ${rate(r.ours.perSecond)}` +
    (r.torch ? `, PyTorch ${rate(r.torch.perSecond)}` : "")
  );
  return ceiling.length ? [ceilingNote(ceiling), ...lines, ""] : [...lines, ""];
}

if (import.meta.main) runMain(() => main(Deno.args));
