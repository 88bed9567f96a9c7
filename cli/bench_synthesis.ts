/**
 * `deno run -A cli/bench_synthesis.ts [--n 500] [--size 224] [--seed 0] [--json] [--gallery OUT.png] [--images a.png,b.png]`
 *
 * Measures single-thread throughput (images/second) of SAS, FPI and `none` on a chest-like phantom (or the given 8/16-bit
 * grey PNGs of side `--size`), with the lesion region drawn uniformly from `ppad5`, and prints it with the machine.
 * `--gallery OUT.png` also writes a SAS/FPI gallery (see `lib/synthesis/gallery.ts`) of up to 4 images.
 * @module
 */
import { decode } from "fast-png";
import { ppad5 } from "../lib/prompts/mod.ts";
import { fpi, none, sas, sasGallery } from "../lib/synthesis/mod.ts";
import {
  defineCommand,
  ensureOutFile,
  InputError,
  machineDescription,
  numberFlag,
  parseCommand,
  Rng,
  runMain,
  writeFileAtomic,
} from "../lib/util/mod.ts";

/** A chest-radiograph-like phantom `[size*size]` in [0, 1]: body, two dark lungs with ribs, spine, fine noise. */
function phantom(size: number, rng: Rng): Float32Array {
  const out = new Float32Array(size * size);
  const phase = rng.uniform(0, Math.PI * 2);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size - 0.5, v = (y + 0.5) / size - 0.5;
      let val = 0.12;
      if ((u / 0.47) ** 2 + ((v - 0.05) / 0.55) ** 2 < 1) val = 0.72; // body
      for (const side of [-1, 1]) {
        const lu = (u - side * 0.19) / 0.15, lv = (v + 0.02) / 0.33;
        const r = lu * lu + lv * lv;
        if (r < 1) {
          const rib = 0.5 + 0.5 * Math.sin(v * 70 + side * u * 18 + phase);
          val = 0.28 + 0.12 * rib * rib * rib + 0.18 * r; // darker lung field, brighter at the edges, ribs
        }
      }
      if (Math.abs(u) < 0.035) val = Math.max(val, 0.82); // spine
      out[y * size + x] = Math.min(1, Math.max(0, val + rng.normal(0, 0.025)));
    }
  }
  return out;
}

/** Reads a grey PNG of side `size` into `[size*size]` in [0, 1] (the first channel if several). */
async function readGreyPng(file: string, size: number): Promise<Float32Array> {
  let png;
  try {
    png = decode(await Deno.readFile(file));
  } catch (err) {
    throw new InputError(`Cannot read PNG ${file}: ${(err as Error).message}`);
  }
  if (png.width !== size || png.height !== size || png.palette) {
    throw new InputError(`Cannot use ${file}: need a ${size}×${size} non-palette PNG, got ${png.width}×${png.height}`);
  }
  const max = 2 ** png.depth - 1, out = new Float32Array(size * size);
  for (let i = 0; i < out.length; i++) out[i] = png.data[i * png.channels] / max;
  return out;
}

/** Runs `fn` `n` times after a warm-up; returns images/second. */
function timeIt(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(20, n); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - t0) / 1000);
}

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "bench:synthesis",
  summary: "single-thread throughput (images/s) of SAS, FPI and none on a chest-like phantom (or given grey PNGs), " +
    "the lesion region drawn uniformly from ppad5.",
  flags: {
    n: { type: "string", arg: "N", description: "images timed per method (≥ 1)", default: 500 },
    size: { type: "string", arg: "PX", description: "image side (≥ 8)", default: 224 },
    seed: { type: "string", arg: "S", description: "seed", default: 0 },
    json: { type: "boolean", description: "print one JSON object on stdout" },
    gallery: { type: "string", arg: "OUT.png", description: "also write a SAS/FPI gallery of up to 4 images" },
    images: { type: "string", arg: "a.png,b.png", description: "grey PNGs of side --size instead of the phantom" },
  },
  examples: ["deno task bench:synthesis", "deno task bench:synthesis --n 100 --json --gallery /tmp/sas.png"],
});

/** Runs `deno task bench:synthesis` with `args`: times SAS, FPI and none per image and prints the rates. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  if (values.gallery !== undefined) await ensureOutFile(values.gallery, "--gallery");
  const n = numberFlag("n", values.n, 500, { min: 1, integer: true });
  const size = numberFlag("size", values.size, 224, { min: 8, integer: true });
  const seed = numberFlag("seed", values.seed, 0, { integer: true });
  const rng = new Rng(seed);
  const files = typeof values.images === "string" ? values.images.split(",").filter((f) => f !== "") : [];
  const images = files.length > 0
    ? await Promise.all(files.map((f) => readGreyPng(f, size)))
    : Array.from({ length: 4 }, () => phantom(size, rng));
  const regions = ppad5(size).regions;

  const r = rng.fork();
  const result = {
    machine: machineDescription(),
    size,
    n,
    sas: timeIt(n, (i) => sas(images[i % images.length], size, r.pick(regions), r)),
    fpi: timeIt(n, (i) => fpi(images[i % images.length], images[(i + 1) % images.length], size, r.pick(regions), r)),
    none: timeIt(n, (i) => none(images[i % images.length], size)),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`synthesis throughput, one thread, ${size}×${size}, ${n} images each — ${result.machine}`);
    for (const k of ["sas", "fpi", "none"] as const) {
      console.log(`  ${k.padEnd(5)} ${result[k].toFixed(0).padStart(8)} img/s`);
    }
  }
  if (typeof values.gallery === "string") {
    await writeFileAtomic(values.gallery, sasGallery(images.slice(0, 4), size, rng.fork()));
    console.error(`wrote ${values.gallery}`);
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
