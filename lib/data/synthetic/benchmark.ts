/**
 * The synthetic benchmark on disk, in the ZhangLab/SQUID layout:
 * `train/normal_256/`, `test/normal_256/`, `test/pneumonia_256/` (8-bit grayscale PNGs), `masks/` (one PNG per
 * abnormal image, 0/255), `manifest.csv`, and `benchmark.json` (the completion stamp, written last).
 *
 * Every image has its own seed derived from (benchmark seed, group, index), so a file never depends on the counts of
 * other groups, and the same seed gives byte-identical files.
 * @module
 */
import {
  basename,
  csvField,
  dirname,
  InputError,
  join,
  pathExists,
  Progress,
  PROJECT_ROOT,
  Rng,
} from "../../util/mod.ts";
import { type FindingKind, FINDINGS } from "./findings.ts";
import { generateCase, MIN_FINDING_SIZE, type SyntheticCase } from "./generate.ts";
import { encodePng } from "../png.ts";
import { toUint8 } from "./raster.ts";

/** Version of the generator's output: bump it whenever any pixel, mask, report or manifest could change. */
export const GENERATOR_VERSION = 1;
/** Generator name recorded in the stamp. */
export const GENERATOR_NAME = "ppad-synthetic-cxr";
/** Default seed of the embedded benchmark. */
export const DEFAULT_SEED = 2024;
/** Default folder of the embedded benchmark. */
export const DEFAULT_BENCHMARK_DIR: string = join(PROJECT_ROOT, "data", "synthetic-cxr-v1");
/** Stamp file, written last: its presence and content mark a complete benchmark. */
export const STAMP_FILE = "benchmark.json";
/** Smallest image side of a benchmark: below it some findings can have an empty mask (see `MIN_FINDING_SIZE`). */
export const MIN_BENCHMARK_SIZE = MIN_FINDING_SIZE;
/** Largest image side of a benchmark. */
export const MAX_BENCHMARK_SIZE = 4096;

/** Sizes and seed of a benchmark. */
export interface BenchmarkOptions {
  /** @default 2024 */
  seed?: number;
  /** Image side in pixels. @default 256 */
  size?: number;
  /** Normal training pool. @default 1200 */
  trainNormal?: number;
  /** Normal test images (ZhangLab: 234). @default 234 */
  testNormal?: number;
  /** Abnormal test images (ZhangLab: 390), findings spread evenly. @default 390 */
  testAbnormal?: number;
  /** Silence the progress bar. @default false */
  quiet?: boolean;
}

/** The three image groups and their folders. */
export const GROUPS = {
  "train-normal": { split: "train", folder: "train/normal_256", prefix: "train_normal", label: 0 },
  "test-normal": { split: "test", folder: "test/normal_256", prefix: "test_normal", label: 0 },
  "test-abnormal": { split: "test", folder: "test/pneumonia_256", prefix: "test_abnormal", label: 1 },
} as const;
/** An image group. */
export type Group = keyof typeof GROUPS;

/** One planned image. */
export interface BenchmarkEntry {
  group: Group;
  /** 0-based index within the group. */
  index: number;
  finding: FindingKind | "normal";
  /** Path relative to the benchmark folder. */
  file: string;
  /** Mask path relative to the benchmark folder (abnormal images only). */
  mask: string | null;
  /** The image's own seed. */
  seed: number;
}

/** The stamp written to `benchmark.json`. */
export interface BenchmarkStamp {
  generator: string;
  version: number;
  seed: number;
  size: number;
  counts: { trainNormal: number; testNormal: number; testAbnormal: number };
  findings: Record<FindingKind, number>;
  layout: string;
}

/** Resolved options with defaults applied and validated. */
export function resolveOptions(opts: BenchmarkOptions = {}): Required<BenchmarkOptions> {
  const r = {
    seed: opts.seed ?? DEFAULT_SEED,
    size: opts.size ?? 256,
    trainNormal: opts.trainNormal ?? 1200,
    testNormal: opts.testNormal ?? 234,
    testAbnormal: opts.testAbnormal ?? 390,
    quiet: opts.quiet ?? false,
  };
  for (const [k, v] of Object.entries(r)) {
    if (k === "quiet") continue;
    if (!Number.isInteger(v) || (v as number) < 0) {
      throw new InputError(`Cannot plan the benchmark: ${k} must be a non-negative integer, got ${v}`);
    }
  }
  if (r.size < MIN_BENCHMARK_SIZE || r.size > MAX_BENCHMARK_SIZE) {
    throw new InputError(
      `Cannot plan the benchmark: size must be in [${MIN_BENCHMARK_SIZE}, ${MAX_BENCHMARK_SIZE}], got ${r.size}`,
    );
  }
  if (r.seed > 0xffffffff) throw new InputError(`Cannot plan the benchmark: seed must be below 2^32`);
  return r;
}

/** A 32-bit seed for image `index` of `group` under benchmark `seed` (a murmur3-style mix). */
export function caseSeed(seed: number, group: Group, index: number): number {
  const g = group === "train-normal" ? 1 : group === "test-normal" ? 2 : 3;
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  for (const v of [g, index]) {
    h = Math.imul(h ^ v, 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Every image of a benchmark, in write order; abnormal image `i` has finding `FINDINGS[i mod 6]`. */
export function planBenchmark(opts: BenchmarkOptions = {}): BenchmarkEntry[] {
  const o = resolveOptions(opts);
  const out: BenchmarkEntry[] = [];
  const counts: Record<Group, number> = {
    "train-normal": o.trainNormal,
    "test-normal": o.testNormal,
    "test-abnormal": o.testAbnormal,
  };
  for (const group of Object.keys(GROUPS) as Group[]) {
    const g = GROUPS[group];
    for (let index = 0; index < counts[group]; index++) {
      const name = `${g.prefix}_${String(index + 1).padStart(5, "0")}.png`;
      const abnormal = group === "test-abnormal";
      out.push({
        group,
        index,
        finding: abnormal ? FINDINGS[index % FINDINGS.length] : "normal",
        file: `${g.folder}/${name}`,
        mask: abnormal ? `masks/${name}` : null,
        seed: caseSeed(o.seed, group, index),
      });
    }
  }
  return out;
}

/** Generates the case of one planned entry in memory (identical to the file the benchmark writes). */
export function generateEntry(entry: BenchmarkEntry, size = 256): SyntheticCase {
  return generateCase(new Rng(entry.seed), { size, finding: entry.finding });
}

/** Manifest columns, in order. */
export const MANIFEST_COLUMNS = [
  "file",
  "split",
  "label",
  "finding",
  "side",
  "zone",
  "bbox",
  "mask",
  "report",
] as const;

/** One manifest line (no newline) for `entry` and its generated case. `bbox` is "x y width height" (pixels). */
export function manifestLine(entry: BenchmarkEntry, c: SyntheticCase): string {
  const g = GROUPS[entry.group];
  const bbox = c.bbox ? `${c.bbox.x} ${c.bbox.y} ${c.bbox.width} ${c.bbox.height}` : "";
  return [
    entry.file,
    g.split,
    String(g.label),
    c.finding,
    c.side,
    c.zone,
    bbox,
    entry.mask ?? "",
    csvField(c.report, true),
  ].map((v, i) => (i === 8 ? v : csvField(v))).join(",");
}

function stampFor(o: Required<BenchmarkOptions>): BenchmarkStamp {
  const findings = Object.fromEntries(FINDINGS.map((f) => [f, 0])) as Record<FindingKind, number>;
  for (let i = 0; i < o.testAbnormal; i++) findings[FINDINGS[i % FINDINGS.length]]++;
  return {
    generator: GENERATOR_NAME,
    version: GENERATOR_VERSION,
    seed: o.seed,
    size: o.size,
    counts: { trainNormal: o.trainNormal, testNormal: o.testNormal, testAbnormal: o.testAbnormal },
    findings,
    layout: "zhanglab-squid",
  };
}

/** Reads `dir/benchmark.json`; null when absent or unreadable. */
export async function readStamp(dir: string): Promise<BenchmarkStamp | null> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(join(dir, STAMP_FILE)));
    return parsed && typeof parsed === "object" && parsed.generator === GENERATOR_NAME
      ? parsed as BenchmarkStamp
      : null;
  } catch {
    return null;
  }
}

async function countPngs(dir: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".png")) n++;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return -1;
    throw err;
  }
  return n;
}

/**
 * True when `dir` holds a complete benchmark made by this generator version with these options: the stamp matches
 * and every folder holds the expected number of PNGs.
 */
export async function isComplete(dir: string, opts: BenchmarkOptions = {}): Promise<boolean> {
  const o = resolveOptions(opts);
  const stamp = await readStamp(dir);
  const want = stampFor(o);
  if (!stamp || JSON.stringify(stamp) !== JSON.stringify(want)) return false;
  if (!(await pathExists(join(dir, "manifest.csv")))) return false;
  const expected: [string, number][] = [
    [GROUPS["train-normal"].folder, o.trainNormal],
    [GROUPS["test-normal"].folder, o.testNormal],
    [GROUPS["test-abnormal"].folder, o.testAbnormal],
    ["masks", o.testAbnormal],
  ];
  for (const [folder, n] of expected) {
    const have = await countPngs(join(dir, folder));
    if (have !== n && !(n === 0 && have <= 0)) return false;
  }
  return true;
}

/**
 * How the options recorded in `stamp` differ from `opts`, one item per flag (`--seed 2024, not 7`); empty when the
 * stamp was made with these options. The generator version is not an option and is not compared.
 */
export function stampDifferences(stamp: BenchmarkStamp, opts: BenchmarkOptions = {}): string[] {
  const o = resolveOptions(opts);
  const had: [string, unknown, number][] = [
    ["--seed", stamp.seed, o.seed],
    ["--size", stamp.size, o.size],
    ["--train-normal", stamp.counts?.trainNormal, o.trainNormal],
    ["--test-normal", stamp.counts?.testNormal, o.testNormal],
    ["--test-abnormal", stamp.counts?.testAbnormal, o.testAbnormal],
  ];
  return had.filter(([, was, want]) => was !== want).map(([flag, was, want]) =>
    `${flag} ${typeof was === "number" ? was : "unrecorded"}, not ${want}`
  );
}

/** True when `dir` may be replaced: absent, empty, or a (possibly outdated) synthetic benchmark. */
async function replaceable(dir: string): Promise<boolean> {
  if (!(await pathExists(dir))) return true;
  if (!(await Deno.stat(dir)).isDirectory) return false;
  if (await readStamp(dir)) return true;
  return await isEmptyDir(dir);
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return false;
    return true;
  } catch {
    return false;
  }
}

/** This host's name as it appears in scratch folder names (letters, digits, `.`, `_` and `-` only). */
function hostTag(): string {
  let host = "unknown";
  try {
    host = Deno.hostname();
  } catch { /* not permitted: keep "unknown" */ }
  return host.replace(/[^A-Za-z0-9._-]/g, "_") || "unknown";
}

/**
 * The hidden sibling folder a run of {@link writeBenchmark} for `dir` uses: `.NAME.partial-PID-HOST` while writing,
 * `.NAME.old-PID-HOST` for the replaced benchmark during the final swap.
 */
function scratchPath(dir: string, kind: "partial" | "old"): string {
  return join(dirname(dir), `.${basename(dir)}.${kind}-${Deno.pid}-${hostTag()}`);
}

/** A scratch folder of a run for the same target, parsed from its name. */
interface Scratch {
  path: string;
  kind: "partial" | "old";
  pid: number;
  /** Host tag; null for the names of earlier versions (`.NAME.partial-PID`), taken as this host. */
  host: string | null;
}

async function listScratch(dir: string): Promise<Scratch[]> {
  const escaped = basename(dir).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^\\.${escaped}\\.(partial|old)-(\\d+)(?:-(.+))?$`);
  const out: Scratch[] = [];
  try {
    for await (const e of Deno.readDir(dirname(dir))) {
      const m = e.isDirectory ? re.exec(e.name) : null;
      if (m) {
        out.push({
          path: join(dirname(dir), e.name),
          kind: m[1] as "partial" | "old",
          pid: Number(m[2]),
          host: m[3] ?? null,
        });
      }
    }
  } catch {
    return []; // no parent folder (or not a folder): nothing to clean
  }
  return out.sort((x, y) => x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
}

/**
 * Whether the run that owns `s` is certainly gone: same host, and (Linux) no `/proc/PID`. Anything uncertain (another
 * host, another OS, this process) counts as alive, so a folder a live process is writing is never touched.
 */
function ownerGone(s: Scratch): boolean {
  if (s.host !== null && s.host !== hostTag()) return false;
  if (s.pid === Deno.pid || Deno.build.os !== "linux") return false;
  try {
    Deno.statSync(`/proc/${s.pid}`);
    return false;
  } catch (err) {
    return err instanceof Deno.errors.NotFound;
  }
}

/**
 * Cleans up after killed runs of {@link writeBenchmark} for `dir` on this host: a hidden `.NAME.partial-PID…` folder
 * whose process is gone is deleted; a `.NAME.old-PID…` folder (the benchmark being replaced when the run was killed
 * mid-swap) is moved back to `dir` when `dir` is absent or empty, deleted when `dir` holds a benchmark, and left
 * alone otherwise. Folders of live processes, or of other hosts, are never touched. Returns one line per action.
 */
export async function cleanStaleScratch(dir: string): Promise<string[]> {
  const notes: string[] = [];
  const stale = (await listScratch(dir)).filter(ownerGone);
  const quietly = async (what: () => Promise<void>) => {
    try {
      await what();
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false; // another run cleaned it first
      throw err;
    }
  };
  // Old copies first: one may have to go back into place before the partial copies are deleted.
  for (const s of stale.filter((x) => x.kind === "old")) {
    const stat = await Deno.stat(dir).catch(() => null);
    if (!stat || (stat.isDirectory && await isEmptyDir(dir))) {
      if (stat) await Deno.remove(dir);
      if (await quietly(() => Deno.rename(s.path, dir))) {
        notes.push(`restored ${dir} from ${s.path}, left by pid ${s.pid} (killed while replacing it)`);
      }
    } else if (stat.isDirectory && await readStamp(dir)) {
      if (await quietly(() => Deno.remove(s.path, { recursive: true }))) {
        notes.push(`removed ${s.path}, the replaced benchmark left by pid ${s.pid} (no longer running)`);
      }
    } else {
      notes.push(`left ${s.path} (a benchmark pid ${s.pid} was replacing when it stopped): ${dir} is not a benchmark`);
    }
  }
  for (const s of stale.filter((x) => x.kind === "partial")) {
    if (await quietly(() => Deno.remove(s.path, { recursive: true }))) {
      notes.push(`removed ${s.path}, a partial benchmark left by pid ${s.pid} (no longer running)`);
    }
  }
  return notes;
}

/**
 * Writes a complete benchmark to `dir`: everything goes to a sibling temporary folder first (stamp last), which is
 * then renamed into place, so a killed run never leaves a folder that looks complete; what a killed run left behind
 * is cleaned up first ({@link cleanStaleScratch}, each action noted on stderr). An existing `dir` is replaced only if
 * it is empty or a synthetic benchmark (it has our `benchmark.json`); anything else is refused.
 */
export async function writeBenchmark(dir: string, opts: BenchmarkOptions = {}): Promise<BenchmarkStamp> {
  const o = resolveOptions(opts);
  for (const note of await cleanStaleScratch(dir)) console.error(`note: ${note}`);
  if (!(await replaceable(dir))) {
    throw new InputError(
      `Cannot write the benchmark to ${dir}: the folder exists and is not a synthetic benchmark (no ${STAMP_FILE}); choose another --out`,
    );
  }
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  const tmp = scratchPath(dir, "partial");
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  const entries = planBenchmark(o);
  const progress = new Progress(entries.length, { label: "synth", quiet: o.quiet });
  try {
    for (const g of Object.values(GROUPS)) await Deno.mkdir(join(tmp, g.folder), { recursive: true });
    await Deno.mkdir(join(tmp, "masks"), { recursive: true });
    const lines: string[] = [MANIFEST_COLUMNS.join(",")];
    const gray = (data: Uint8Array) => encodePng({ width: o.size, height: o.size, channels: 1, data });
    for (const entry of entries) {
      const c = generateEntry(entry, o.size);
      await Deno.writeFile(join(tmp, entry.file), gray(toUint8(c.image)));
      if (entry.mask) {
        const m = new Uint8Array(c.mask.length);
        for (let i = 0; i < m.length; i++) m[i] = c.mask[i] ? 255 : 0;
        await Deno.writeFile(join(tmp, entry.mask), gray(m));
      }
      lines.push(manifestLine(entry, c));
      progress.tick();
    }
    progress.finish();
    await Deno.writeTextFile(join(tmp, "manifest.csv"), lines.join("\n") + "\n");
    const stamp = stampFor(o);
    await Deno.writeTextFile(join(tmp, STAMP_FILE), JSON.stringify(stamp, null, 2) + "\n");
    // Swap into place: move any old benchmark aside, rename, then delete the old one. Should the rename fail, the old
    // one goes back; should the process die in between, the next run puts it back (cleanStaleScratch).
    const old = scratchPath(dir, "old");
    const had = await pathExists(dir);
    if (had) await Deno.rename(dir, old);
    try {
      await Deno.rename(tmp, dir);
    } catch (err) {
      if (had) await Deno.rename(old, dir).catch(() => {});
      throw err;
    }
    if (had) await Deno.remove(old, { recursive: true });
    return stamp;
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/**
 * Returns `dir` (default `data/synthetic-cxr-v1` under the project root) once it holds a complete benchmark for
 * these options and this generator version, generating it first when it does not. Cheap when up to date.
 */
export async function ensureBenchmark(
  dir: string = DEFAULT_BENCHMARK_DIR,
  opts: BenchmarkOptions = {},
): Promise<string> {
  if (await isComplete(dir, opts)) return dir;
  await writeBenchmark(dir, opts);
  return dir;
}
