/**
 * Where one image-prompt run of the default sweep spends its time, per phase (training steps, the synthetic probe,
 * test scoring), under named engine configurations, and a per-kernel profile (tf.profile) of one training step and one
 * scoring batch under each: `deno run -A --v8-flags=--max-old-space-size=8192 bench/profile_image_prompt_run.ts
 * [--variant ppad] [--regions ppad5] [--synthesis sas] [--steps 100] [--test-limit N] [--configs before,after]
 * [--no-phases] [--kernels]`. Configurations: `off` (no sweep cache), `before` (the sweep cache as it was: prompt-free
 * features and batch streams only, the whole last block), `patches` (plus patch tokens), `after` (plus the CLS-only
 * last block, lib/encoders/clip/row_block.ts). With a sweep cache, two runs on one stream are timed (the first fills
 * the cache, the second is what a later run of the sweep on the same stream sees). Phase times are wall-clock (noisy on
 * a loaded machine: compare configurations of one invocation); kernel times are tf.profile's.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setBlockRowsEnabled } from "../lib/encoders/clip/row_block.ts";
import { promptShifts, regionProbabilities, syntheticProbe } from "../lib/eval/mod.ts";
import { loadExperiment } from "../lib/experiments/setup.ts";
import { makeRunSpec, type MethodSpec } from "../lib/experiments/config.ts";
import { runGenerators, SweepCache } from "../lib/experiments/sweep_cache.ts";
import { getVariant, PromptModel, type PromptModelOptions, regionSet } from "../lib/prompts/mod.ts";
import { arrayPool, getSynthesis } from "../lib/synthesis/mod.ts";
import { drawBatch, trainPrompts } from "../lib/train/mod.ts";
import { Rng, streamSeed } from "../lib/util/mod.ts";

const args = Deno.args;
const flag = (name: string, d: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const setup = await loadExperiment({ testLimit: Number(flag("test-limit", "0")) || null });
const { bundle, data, context } = setup;
const method: Partial<MethodSpec> = {
  variant: flag("variant", "ppad") as MethodSpec["variant"],
  regions: flag("regions", "ppad5"),
  synthesis: flag("synthesis", "sas") as MethodSpec["synthesis"],
  steps: Number(flag("steps", "100")),
};
const spec = makeRunSpec(method, context, 0);

/** An engine configuration: which caches the model draws on, and whether the last block runs on the CLS rows only. */
interface Config {
  cache: boolean;
  sources: (cache: SweepCache) => Pick<PromptModelOptions, "frozenFeatures" | "patchEmbeddings">;
  rows: boolean;
}
const CONFIGS: Record<string, Config> = {
  off: { cache: false, sources: () => ({}), rows: true },
  before: { cache: true, sources: (c) => ({ frozenFeatures: c.features }), rows: false },
  patches: { cache: true, sources: (c) => c.promptModelSources(), rows: false },
  after: { cache: true, sources: (c) => c.promptModelSources(), rows: true },
};
const configs = flag("configs", "before,after").split(",");
for (const c of configs) {
  if (!(c in CONFIGS)) throw new Error(`Cannot run config ${c}: expected ${Object.keys(CONFIGS)}`);
}

/** One run's phases as trainAndEvaluate runs them (twice with the cache: cold, then warm as a later run sees it). */
async function phases(
  cache: SweepCache | null,
  sources: Pick<PromptModelOptions, "frozenFeatures" | "patchEmbeddings">,
  label: string,
): Promise<Float32Array[]> {
  const t: Record<string, number> = {};
  const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await f();
    t[name] = (t[name] ?? 0) + (performance.now() - t0) / 1000;
    return out;
  };
  const generators = runGenerators(spec.seed);
  const model = new PromptModel(bundle.clip, bundle.tokenizer, {
    variant: getVariant(spec.variant),
    regions: regionSet(spec.regions, bundle.clip.config.imageResolution),
    nCtx: spec.nCtx,
    sides: spec.sides,
    rng: generators.model,
    ...sources,
  });
  const initial = model.learnedTensors();
  const shots = await data.shots(spec.seed, spec.shots);
  const synthesis = getSynthesis(spec.synthesis);
  const pool = synthesis.needsPool ? await data.normalPool() : undefined;
  const trainRng = new Rng(generators.trainSeed);
  const key = cache?.streamKey(spec) ?? null;
  await time("train", () =>
    trainPrompts(model, {
      images: shots.images,
      synthesis,
      pool,
      normalisation: bundle.normalisation,
      rng: trainRng,
      steps: spec.steps,
      lr: spec.lr,
      momentum: spec.momentum,
      batches: cache && key
        ? cache.batches.open(
          key,
          spec.steps,
          shots.images,
          () => drawBatch(model, shots.images, synthesis, trainRng, 0.5, pool ?? arrayPool(shots.images)),
        )
        : undefined,
    }));
  if (cache && key) cache.batches.close(key);
  await time("probe", () =>
    syntheticProbe(model, shots.images, synthesis, new Rng(streamSeed(spec.seed, "probe")), {
      normalisation: bundle.normalisation,
      pool,
    }));
  promptShifts(initial, model.learnedTensors());
  const probs = await time(
    "score",
    () => regionProbabilities(model, data.test.images, { normalisation: bundle.normalisation }),
  );
  model.dispose();
  const total = Object.values(t).reduce((a, b) => a + b, 0);
  console.log(
    `${label}: ${
      Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(1)} s (${(100 * v / total).toFixed(0)} %)`).join(", ")
    }; total ${total.toFixed(1)} s; load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  if (cache) console.log(`  ${cache.summary()}`);
  return probs;
}

/**
 * Kernel time of `f` under tf.profile (its second call: the first warms up, and fills a cache), by kernel name and
 * first two input shapes, top 12; the scopes of custom gradients (which contain other kernels) are left out.
 */
async function kernels(label: string, f: () => void): Promise<void> {
  f();
  const t0 = performance.now();
  const info = await tf.profile(f);
  const wall = performance.now() - t0;
  const by = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of info.kernels) {
    if (k.name === "unnamed scope") continue;
    const key = `${k.name} ${JSON.stringify(k.inputShapes.slice(0, 2))}`;
    const e = by.get(key) ?? { ms: 0, n: 0 };
    e.ms += k.kernelTimeMs as number;
    e.n++;
    by.set(key, e);
    total += k.kernelTimeMs as number;
  }
  console.log(`\n## ${label}: ${total.toFixed(0)} ms in kernels (${wall.toFixed(0)} ms wall, profiled)`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(
      `${e.ms.toFixed(1).padStart(9)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)} % ${
        String(e.n).padStart(5)
      }× ${k}`,
    );
  }
}

console.log(
  `${spec.variant}/${spec.regions}/${spec.synthesis}, ${spec.steps} steps, ${data.test.images.length} test images`,
);
const results: Float32Array[][] = [];
if (!args.includes("--no-phases")) {
  for (const name of configs) {
    const c = CONFIGS[name];
    setBlockRowsEnabled(c.rows);
    if (!c.cache) results.push(await phases(null, {}, `${name}`));
    else {
      const cache = new SweepCache(bundle);
      // Two runs on one stream (as image-only, PPAD and PPAD-patient share theirs): the second replays it.
      cache.expectTrainings([spec, spec]);
      results.push(await phases(cache, c.sources(cache), `${name}, first run`));
      results.push(await phases(cache, c.sources(cache), `${name}, later run`));
      cache.dispose();
    }
  }
}
for (let i = 1; i < results.length; i++) {
  const same = results[i].every((row, j) => row.every((v, k) => Object.is(v, results[0][j][k])));
  console.log(`probabilities of result ${i} ${same ? "bitwise equal to" : "DIFFER from"} result 0`);
}

if (args.includes("--kernels")) {
  // One training step and one scoring batch under each configuration, with a warm cache (the second call).
  const shots = await data.shots(spec.seed, spec.shots);
  const test = data.test.images.slice(0, 32);
  for (const name of configs) {
    const c = CONFIGS[name];
    setBlockRowsEnabled(c.rows);
    const cache = c.cache ? new SweepCache(bundle) : null;
    const model = new PromptModel(bundle.clip, bundle.tokenizer, {
      variant: getVariant(spec.variant),
      regions: regionSet(spec.regions, bundle.clip.config.imageResolution),
      nCtx: spec.nCtx,
      rng: new Rng(1),
      ...(cache ? c.sources(cache) : {}),
    });
    await kernels(`one training step (${spec.shots} shots), ${name}`, () => {
      trainPrompts(model, {
        images: shots.images,
        synthesis: getSynthesis(spec.synthesis),
        normalisation: bundle.normalisation,
        rng: new Rng(2),
        steps: 1,
      });
    });
    await kernels(`scoring ${test.length} test images, ${name}`, () => {
      regionProbabilities(model, test, { normalisation: bundle.normalisation });
    });
    model.dispose();
    cache?.dispose();
  }
}
Deno.exit(0);
