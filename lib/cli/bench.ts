/**
 * `deno task bench [--backend wasm|webgpu|cpu|tensorflow] [--batch 8,64] [--iters N] [--quick] [--arch vit-b-32|mini]
 * [--out FILE]`: images per second of the CLIP engine at ViT-B/32's real dimensions with random weights, for
 * (1) the image forward pass, (2) PPAD's training step — forward and backward to input-level prompts (image prompt tokens
 * and text context vectors) through the frozen model — and (3) the text tower on 10 prompts.
 * Prints a markdown table naming the machine and backend; writes JSON to `results/bench/<backend>.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend, requestedBackend } from "../backend.ts";
import { type ClipConfig, ClipModel, VIT_B_32 } from "../encoders/clip/mod.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { InputError, runMain } from "../util/errors.ts";
import { choiceFlag, defineCommand, numberFlag, parseCommand } from "../util/cli.ts";
import { ensureOutFile } from "../util/lock.ts";
import { join, PROJECT_ROOT, relative } from "../util/path.ts";
import { Rng } from "../util/rng.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "bench",
  summary: "images per second of the CLIP engine at ViT-B/32's real size (random weights): image forward pass, " +
    "PPAD's prompt training step (forward + backward through the frozen model) and the text tower.",
  flags: {
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
    batch: {
      type: "string",
      arg: "8,64",
      description: "batch sizes, comma-separated",
      default: "8,64 (8 with --quick)",
    },
    iters: {
      type: "string",
      arg: "N",
      description: "timed iterations per measurement (≥ 1)",
      default: "3 (1 with --quick)",
    },
    quick: { type: "boolean", description: "one small batch, one iteration" },
    arch: { type: "string", arg: "vit-b-32|mini", description: "architecture", default: "vit-b-32" },
    out: { type: "string", arg: "FILE", description: "JSON output", default: "results/bench/<backend>.json" },
    seed: { type: "string", arg: "S", description: "seed of the random weights and inputs", default: 0 },
  },
  examples: ["deno task bench", "deno task bench --backend cpu --arch mini --quick --out /tmp/bench.json"],
});

/** Architectures the bench knows: OpenAI's ViT-B/32, and the fixture-sized mini CLIP (for smoke tests). */
const ARCHS: Record<string, ClipConfig> = {
  "vit-b-32": { ...VIT_B_32 },
  mini: {
    ...VIT_B_32,
    visionWidth: 128,
    visionLayers: 2,
    visionHeads: 2,
    textWidth: 128,
    textLayers: 2,
    textHeads: 2,
    embedDim: 64,
  },
};

/** Learnable context vectors per text prompt (PPAD, CoOp). */
const CONTEXT_VECTORS = 16;

/** One measurement: what, at which batch, seconds per iteration. */
export interface BenchRecord {
  kind: "forward" | "forward+backward" | "text";
  batch: number;
  iterations: number;
  secondsPerIteration: number[];
  /** batch / mean seconds: images (or prompts, for `text`) per second. */
  perSecond: number;
}

/** The machine, as far as a Deno process can tell. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  os: string;
  deno: string;
  memoryGiB: number;
  /** 1/5/15-minute load averages when the bench started: other processes share the cores. */
  loadAverage: number[];
}

function machine(): MachineInfo {
  let cpu = "unknown CPU";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    cpu = info.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? cpu;
  } catch { /* not Linux */ }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    loadAverage: Deno.loadavg(),
  };
}

function parseBatches(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const out = value.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new InputError(`Cannot use --batch ${JSON.stringify(value)}: expected positive integers separated by commas`);
  }
  return out;
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

/** PPAD's learnable state and inputs for one step at batch `b`. */
interface PpadStep {
  pixels: tf.Tensor4D;
  keep: tf.Tensor2D;
  labels: tf.Tensor2D;
  dispose(): void;
}

function makeStep(rng: Rng, b: number, config: ClipConfig): PpadStep {
  const r = config.imageResolution, g = config.grid;
  const pixels = tf.tensor4d(rng.normalArray(b * r * r * 3), [b, r, r, 3]);
  // Each image sees one region: left / right / upper / lower half, or the whole image.
  const keep = new Float32Array(b * g * g);
  for (let i = 0; i < b; i++) {
    const region = i % 5;
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++) {
        const mid = (g - 1) / 2;
        const inside = [x <= mid, x >= mid, y <= mid, y >= mid, true][region];
        keep[i * g * g + y * g + x] = inside ? 1 : 0;
      }
    }
  }
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: b }, () => rng.int(0, 1)), "int32"), 2)
    .toFloat() as tf.Tensor2D;
  const keepT = tf.tensor2d(keep, [b, g * g]);
  return { pixels, keep: keepT, labels, dispose: () => tf.dispose([pixels, keepT, labels]) };
}

async function main(): Promise<void> {
  const { values } = parseCommand(COMMAND, Deno.args);
  const quick = values.quick === true;
  const batches = parseBatches(values.batch as string | undefined, quick ? [8] : [8, 64]);
  const iters = numberFlag("iters", values.iters, quick ? 1 : 3, { min: 1, integer: true });
  const seed = numberFlag("seed", values.seed, 0, { integer: true });
  const archName = choiceFlag("arch", values.arch, Object.keys(ARCHS), "vit-b-32");
  const config = ARCHS[archName];
  if (values.out !== undefined) await ensureOutFile(values.out, "--out");

  const info = await initBackend(requestedBackend(values.backend as string | undefined));
  const host = machine();
  const rng = new Rng(seed);
  let t0 = performance.now();
  const model = ClipModel.random(config, rng.fork());
  const initSeconds = (performance.now() - t0) / 1000;
  console.error(
    `bench: ${archName} random weights built in ${initSeconds.toFixed(1)} s on ${host.cpu} (${host.cores} cores)`,
  );

  const prompts = tf.variable(
    tf.tensor2d(rng.normalArray(config.grid ** 2 * config.visionWidth, 0, 0.2), [config.grid ** 2, config.visionWidth]),
  );
  const context = tf.variable(
    tf.tensor2d(rng.normalArray(CONTEXT_VECTORS * config.textWidth, 0, 0.02), [CONTEXT_VECTORS, config.textWidth]),
  );
  // "[SOS] V1 … V16 normal . [EOS]" and "… pneumonia . [EOS]": class word and period are frozen word embeddings.
  const classIds = syntheticIds(rng, 2, config, () => CONTEXT_VECTORS + 2);
  const eot = [CONTEXT_VECTORS + 3, CONTEXT_VECTORS + 3];

  const forward = async (pixels: tf.Tensor4D) => {
    const f = model.encodeImage(pixels);
    await f.data();
    f.dispose();
  };
  const ppadStep = async (s: PpadStep) => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const emb = model.tokenEmbeddings(classIds);
        const spliced = tf.concat([
          tf.slice(emb, [0, 0, 0], [2, 1, -1]),
          tf.tile(tf.expandDims(context, 0), [2, 1, 1]),
          tf.slice(emb, [0, CONTEXT_VECTORS + 1, 0], [2, -1, -1]),
        ], 1) as tf.Tensor3D;
        const text = model.encodeTextEmbeddings(spliced, eot);
        const image = model.encodeImageWithPrompts(s.pixels, s.keep, prompts);
        return tf.losses.sigmoidCrossEntropy(s.labels, model.logits(image, text)) as tf.Scalar;
      }), [prompts, context]);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    tf.dispose([value, grads]);
  };

  // Warm-up at the smallest batch: the first call prepares the frozen weights and packs them for the matmul kernel.
  const warm = makeStep(rng, Math.min(...batches), config);
  t0 = performance.now();
  await forward(warm.pixels);
  const firstForward = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await ppadStep(warm);
  const firstStep = (performance.now() - t0) / 1000;
  warm.dispose();
  console.error(
    `bench: first forward ${firstForward.toFixed(2)} s, first prompt step ${firstStep.toFixed(2)} s (warm-up)`,
  );

  const records: BenchRecord[] = [];
  const record = (kind: BenchRecord["kind"], batch: number, seconds: number[]) => {
    const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
    const r: BenchRecord = {
      kind,
      batch,
      iterations: seconds.length,
      secondsPerIteration: seconds,
      perSecond: batch / mean,
    };
    records.push(r);
    console.error(
      `bench: ${kind} batch ${batch}: ${mean.toFixed(2)} s/iter, ${r.perSecond.toFixed(2)}/s (${seconds.length} iter)`,
    );
  };
  for (const b of batches) {
    const s = makeStep(rng, b, config);
    record("forward", b, await timeIt(iters, () => forward(s.pixels)));
    // A large batch's backward pass takes long on CPU backends: time it once.
    record("forward+backward", b, await timeIt(b >= 32 ? 1 : Math.max(1, Math.min(iters, 2)), () => ppadStep(s)));
    s.dispose();
  }
  const textIds = syntheticIds(rng, 10, config, (i) => 8 + 2 * i);
  record(
    "text",
    10,
    await timeIt(Math.max(iters, 3), async () => {
      const t = model.encodeText(textIds);
      await t.data();
      t.dispose();
    }),
  );
  tf.dispose([prompts, context]);
  model.dispose();

  const result = {
    date: new Date().toISOString(),
    machine: host,
    backend: info,
    arch: archName,
    config,
    randomWeights: true,
    ppadStep: `grad of BCE(logits) w.r.t. image prompts [${config.grid ** 2}, ${config.visionWidth}] and ` +
      `${CONTEXT_VECTORS} context vectors through the frozen model; 2 class prompts; one region per image`,
    loadAverageAtEnd: Deno.loadavg(),
    initSeconds,
    firstForwardSeconds: firstForward,
    firstStepSeconds: firstStep,
    results: records,
  };
  const out = (values.out as string | undefined) ?? join(PROJECT_ROOT, "results", "bench", `${info.name}.json`);
  await writeFileAtomic(out, JSON.stringify(result, null, 2) + "\n");

  const lines = [
    `CLIP ${archName} (random weights) on ${host.cpu}, ${host.cores} cores, ${host.os}; backend ${info.description}; ` +
    `load average ${host.loadAverage.map((l) => l.toFixed(2)).join(" ")} at start`,
    "",
    "| measurement | batch | iterations | s / iteration | per second |",
    "|---|---:|---:|---:|---:|",
    ...records.map((r) => {
      const mean = r.secondsPerIteration.reduce((a, b) => a + b, 0) / r.iterations;
      const what = r.kind === "text"
        ? "text tower (prompts/s)"
        : r.kind === "forward"
        ? "image forward (img/s)"
        : "prompt step fwd+bwd (img/s)";
      return `| ${what} | ${r.batch} | ${r.iterations} | ${mean.toFixed(3)} | ${r.perSecond.toFixed(2)} |`;
    }),
    "",
    `warm-up: first forward ${firstForward.toFixed(2)} s, first prompt step ${firstStep.toFixed(2)} s; JSON: ${
      relative(Deno.cwd(), out)
    }`,
  ];
  console.log(lines.join("\n"));
}

if (import.meta.main) runMain(main);
