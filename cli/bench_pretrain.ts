/**
 * `deno task bench:pretrain`: seconds per contrastive pretraining step of a trainable CLIP (both towers, every weight's
 * gradient; random weights and inputs) on the engine's wasm kernels and on plain tfjs ops, alternated so that machine
 * noise hits both, with the ratio; writes `results/bench/pretrain-step.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { CLIP_ARCHS, type ClipArchName, ClipModel, fusedAvailable, setFusedEnabled } from "../lib/encoders/mod.ts";
import { clipLoss } from "../lib/train/mod.ts";
import {
  choiceFlag,
  defineCommand,
  ensureOutFile,
  machineDescription,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  Rng,
  runMain,
  writeFileAtomic,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "bench:pretrain",
  summary: "seconds per contrastive pretraining step (both towers, every weight's gradient, random weights) on the " +
    "engine's wasm kernels and on plain tfjs ops, alternated, with the ratio.",
  flags: {
    arch: { type: "string", arg: "NAME", description: "ppad-mini, vit-b-32 or mini", default: "ppad-mini" },
    batch: { type: "string", arg: "B", description: "image–report pairs per step (≥ 2)", default: 64 },
    rounds: {
      type: "string",
      arg: "N",
      description: "alternating rounds (kernels, plain, plain, kernels, …)",
      default: 3,
    },
    tokens: { type: "string", arg: "N", description: "report tokens between SOT and EOT", default: 24 },
    out: { type: "string", arg: "FILE", description: "JSON output", default: "results/bench/pretrain-step.json" },
    seed: { type: "string", arg: "S", description: "seed of the random weights and inputs", default: 0 },
  },
  examples: ["deno task bench:pretrain", "deno task bench:pretrain --arch mini --batch 4 --rounds 1 --out /tmp/p.json"],
});

/** Median of a non-empty list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs `deno task bench:pretrain` with `args`. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const archName = choiceFlag("arch", values.arch, Object.keys(CLIP_ARCHS), "ppad-mini") as ClipArchName;
  const batch = numberFlag("batch", values.batch, 64, { min: 2, integer: true });
  const rounds = numberFlag("rounds", values.rounds, 3, { min: 1, integer: true });
  const tokens = numberFlag("tokens", values.tokens, 24, { min: 1, integer: true });
  const seed = numberFlag("seed", values.seed, 0, { integer: true });
  const out = resolve(PROJECT_ROOT, (values.out as string | undefined) ?? "results/bench/pretrain-step.json");
  await ensureOutFile(out, "--out");
  const info = await initBackend("wasm");
  if (!fusedAvailable()) throw new Error("Cannot bench the pretraining kernels: they do not run on this backend");
  const config = { ...CLIP_ARCHS[archName] };
  const rng = new Rng(seed);
  const model = ClipModel.random(config, rng.fork(), { trainable: true });
  const r = config.imageResolution;
  const pixels = tf.tensor4d(rng.normalArray(batch * r * r * 3), [batch, r, r, 3]);
  const length = Math.min(tokens, config.contextLength - 2);
  const ids = Array.from({ length: batch }, () => [
    config.vocabSize - 2,
    ...Array.from({ length }, () => 1 + Math.floor(rng.uniform(0, config.vocabSize - 3))),
    config.vocabSize - 1,
  ]);
  const step = (kernels: boolean): number => {
    setFusedEnabled(kernels);
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => clipLoss(model, pixels, ids), model.variables);
    value.dataSync();
    const seconds = (performance.now() - t0) / 1000;
    tf.dispose([value, grads]);
    return seconds;
  };
  const loadAtStart = Deno.loadavg();
  step(true), step(false); // warm-up
  const kernels: number[] = [], plain: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    for (const k of order) (k ? kernels : plain).push(step(k));
    console.error(
      `bench:pretrain round ${i + 1}/${rounds}: kernels ${kernels.at(-1)!.toFixed(2)} s, plain ${
        plain.at(-1)!.toFixed(2)
      } s`,
    );
  }
  setFusedEnabled(true);
  const record = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    backend: `${info.name}${info.threads ? ` (${info.threads} threads)` : ""}`,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: Deno.loadavg(),
    arch: archName,
    config,
    batch,
    reportTokens: length + 2,
    workload: "one CLIP contrastive step: image and text towers forward, symmetric cross-entropy, gradients of every " +
      "weight (no optimiser update); random weights and inputs",
    alternation: `${rounds} rounds, kernels then plain, plain then kernels, …; one warm-up step each first`,
    kernels: { seconds: kernels, median: median(kernels) },
    plain: { seconds: plain, median: median(plain) },
    speedup: median(plain) / median(kernels),
  };
  model.dispose();
  pixels.dispose();
  await writeFileAtomic(out, JSON.stringify(record, null, 2) + "\n");
  console.log(
    `pretraining step, ${archName} batch ${batch} on ${record.machine}, ${record.backend}: engine kernels ` +
      `${record.kernels.median.toFixed(2)} s, plain tfjs ops ${record.plain.median.toFixed(2)} s ` +
      `(${record.speedup.toFixed(2)}×); ${out}`,
  );
}

if (import.meta.main) runMain(() => main(Deno.args));
