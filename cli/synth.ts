/**
 * `deno task synth`: writes the procedural chest-radiograph benchmark, or measures the generator's speed.
 *
 *   deno task synth [--out DIR] [--seed N] [--train-normal N] [--test-normal N] [--test-abnormal N] [--size 256] [--force]
 *   deno task synth --bench [--bench-count 200] [--size 256]
 *   deno task synth --gallery [PATH]
 *
 * An existing benchmark made with the same options is kept; one made with other options is refused unless --force.
 * @module
 */
import {
  defineCommand,
  ensureOutDir,
  ensureOutFile,
  InputError,
  machineDescription,
  numberFlag,
  parseCommand,
  readFileHead,
  resolve,
  Rng,
  runMain,
  startsWithBytes,
} from "../lib/util/mod.ts";
import {
  cleanStaleScratch,
  DEFAULT_BENCHMARK_DIR,
  DEFAULT_SEED,
  encodePng,
  FINDINGS,
  generateCase,
  GENERATOR_VERSION,
  isComplete,
  MAX_BENCHMARK_SIZE,
  MIN_BENCHMARK_SIZE,
  readStamp,
  stampDifferences,
  toUint8,
  writeBenchmark,
} from "../lib/data/mod.ts";
import { writeSyntheticGallery } from "../lib/report/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "synth",
  summary: "writes the synthetic chest X-ray benchmark (ZhangLab/SQUID layout, manifest.csv, masks/, " +
    "benchmark.json), or measures the generator's speed (--bench), or renders its gallery (--gallery).",
  flags: {
    out: { type: "string", arg: "DIR", description: "output folder", default: "data/synthetic-cxr-v1" },
    seed: { type: "string", arg: "N", description: "benchmark seed", default: DEFAULT_SEED },
    "train-normal": { type: "string", arg: "N", description: "normal training pool", default: 1200 },
    "test-normal": { type: "string", arg: "N", description: "normal test images", default: 234 },
    "test-abnormal": {
      type: "string",
      arg: "N",
      description: "abnormal test images, findings spread evenly",
      default: 390,
    },
    size: {
      type: "string",
      arg: "N",
      description: `image side in pixels (${MIN_BENCHMARK_SIZE}…${MAX_BENCHMARK_SIZE}; smaller images can lose the ` +
        "smallest findings)",
      default: 256,
    },
    force: {
      type: "boolean",
      description: "regenerate even when the folder is already complete, or replace one made with other options",
    },
    quiet: { type: "boolean", description: "no progress bar" },
    bench: { type: "boolean", description: "measure generation speed instead (no files written)" },
    "bench-count": { type: "string", arg: "N", description: "images to time with --bench", default: 200 },
    gallery: {
      type: "boolean",
      description: "render the gallery PNG to PATH (default results/gallery/synthetic-cxr.png)",
    },
  },
  positionals: { arg: "[PATH]", description: "with --gallery: where to write the gallery PNG" },
  usage: ["deno task synth --bench [--bench-count 200] [--size 256]", "deno task synth --gallery [PATH]"],
  examples: ["deno task synth", "deno task synth --out /tmp/bench --test-normal 20 --test-abnormal 30 --size 128"],
});

function bench(count: number, size: number): void {
  const kinds = ["normal", ...FINDINGS] as const;
  // Warm-up (JIT, noise textures), not timed.
  for (let i = 0; i < 7; i++) generateCase(new Rng(1000 + i), { size, finding: kinds[i % kinds.length] });
  let genMs = 0;
  let pngMs = 0;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const c = generateCase(new Rng(i), { size, finding: kinds[i % kinds.length] });
    const t1 = performance.now();
    encodePng({ width: size, height: size, channels: 1, data: toUint8(c.image) });
    pngMs += performance.now() - t1;
    genMs += t1 - t0;
  }
  console.log(`machine: ${machineDescription()}, single thread`);
  console.log(`images: ${count} at ${size}x${size} (normal and each finding in turn)`);
  console.log(`generate: ${(genMs / count).toFixed(2)} ms/img = ${(1000 * count / genMs).toFixed(1)} img/s`);
  console.log(
    `generate + PNG encode: ${((genMs + pngMs) / count).toFixed(2)} ms/img = ${
      (1000 * count / (genMs + pngMs)).toFixed(1)
    } img/s`,
  );
}

/** `--size` in MIN_BENCHMARK_SIZE…MAX_BENCHMARK_SIZE (every mode draws findings), saying why when below. */
function sizeFlag(value: string | boolean | undefined): number {
  try {
    return numberFlag("size", value, 256, { min: MIN_BENCHMARK_SIZE, max: MAX_BENCHMARK_SIZE, integer: true });
  } catch (err) {
    if (!(err instanceof InputError) || !(Number(value) < MIN_BENCHMARK_SIZE)) throw err;
    throw new InputError(
      `${err.message} (below ${MIN_BENCHMARK_SIZE} px a small effusion or nodule can fall between pixels and leave ` +
        "an empty mask)",
    );
  }
}

/** The gallery may replace an earlier gallery (a PNG), never another file: refused before any work. */
async function refuseNonPng(path: string): Promise<void> {
  await ensureOutFile(path, "PATH");
  const head = await readFileHead(path, PNG_SIGNATURE.length);
  if (head && !startsWithBytes(head, PNG_SIGNATURE)) {
    throw new InputError(`Cannot render the gallery to ${path}: it holds another file, not a PNG (left as it is)`);
  }
}

/** The eight bytes every PNG file starts with. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Runs `deno task synth` with `args`: writes the synthetic benchmark (or its gallery, or times the generator). */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  const size = sizeFlag(values.size);
  if (values.gallery) {
    if (positionals.length > 1) throw new InputError("Cannot render the gallery: give at most one PATH");
    const target = positionals[0] ? resolve(positionals[0]) : undefined;
    if (target) await refuseNonPng(target);
    const path = await writeSyntheticGallery(target, { size });
    console.log(path);
    return;
  }
  if (positionals.length > 0) {
    throw new InputError(`Cannot parse synth arguments: unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  if (values.bench) {
    bench(numberFlag("bench-count", values["bench-count"], 200, { min: 1, integer: true }), size);
    return;
  }
  const out = typeof values.out === "string" ? resolve(values.out) : DEFAULT_BENCHMARK_DIR;
  const opts = {
    seed: numberFlag("seed", values.seed, DEFAULT_SEED, { min: 0, max: 0xffffffff, integer: true }),
    size,
    trainNormal: numberFlag("train-normal", values["train-normal"], 1200, { min: 0, integer: true }),
    testNormal: numberFlag("test-normal", values["test-normal"], 234, { min: 0, integer: true }),
    testAbnormal: numberFlag("test-abnormal", values["test-abnormal"], 390, { min: 0, integer: true }),
    quiet: values.quiet === true,
  };
  await ensureOutDir(out); // after every flag is checked: a bad flag creates nothing
  // What a killed run left beside `out` (its hidden partial copy, or the old benchmark mid-swap) goes first.
  for (const note of await cleanStaleScratch(out)) console.error(`synth: ${note}`);
  const stamp = await readStamp(out);
  if (stamp && !values.force) {
    if (await isComplete(out, opts)) {
      console.error(`synth: ${out} is already complete for these options (use --force to regenerate)`);
      console.log(out);
      return;
    }
    const differences = stampDifferences(stamp, opts);
    if (differences.length > 0) {
      throw new InputError(
        `Cannot write the benchmark to ${out}: it holds one made with other options (${differences.join("; ")}); ` +
          "use --force to replace it, or choose another --out",
      );
    }
    console.error(
      `synth: ${out} ${
        stamp.version !== GENERATOR_VERSION
          ? `was made by generator version ${stamp.version} (now ${GENERATOR_VERSION})`
          : "is incomplete"
      }; regenerating it with the same options`,
    );
  }
  const t0 = performance.now();
  const written = await writeBenchmark(out, opts);
  const total = written.counts.trainNormal + written.counts.testNormal + written.counts.testAbnormal;
  console.error(`synth: wrote ${total} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(out);
}

if (import.meta.main) runMain(() => main(Deno.args));
