/**
 * A labelled corpus of real chest X-rays for pretraining (e.g. the COVID-19 Radiography Database: `normal/`, `covid/`,
 * `labels.csv` with `path,label[,source]`), decoded once at the model's resolution and split by file into a training
 * part and a fixed, seeded held-out part used to choose checkpoints and recipes.
 * @module
 */
import { isDir, isFile, listImages, prepareImage, readImage } from "../data/mod.ts";
import { basename, InputError, join, Progress, resolve, Rng, splitCsvLine, streamSeed } from "../util/mod.ts";
import type { CaptionLabel } from "./captions.ts";

/** The corpus used by default, relative to the project root. */
export const DEFAULT_REAL_CORPUS = "../shared/data/covid-radiography-224";

/** One file of the corpus. */
export interface CorpusEntry {
  /** Path relative to the corpus root, forward slashes. */
  path: string;
  label: CaptionLabel;
}

/** A decoded part of the corpus: images `[n][size*size]` as 8-bit grey and their labels. */
export interface CorpusPart {
  entries: CorpusEntry[];
  /** `[n][size*size]`, 0–255. */
  pixels: Uint8Array[];
  size: number;
}

/** The two parts of a corpus. */
export interface RealCorpus {
  root: string;
  train: CorpusPart;
  heldOut: CorpusPart;
}

/** Maps a corpus label (`normal`; `covid`, `pneumonia`, `abnormal`, `1`) to a caption label, or null. */
export function corpusLabel(value: string): CaptionLabel | null {
  const v = value.trim().toLowerCase();
  if (v === "normal" || v === "0") return "normal";
  if (v === "covid" || v === "covid-19" || v === "pneumonia" || v === "abnormal" || v === "1") return "pneumonia";
  return null;
}

/** Lists a corpus: `labels.csv` (`path,label,…`) when present, else the images of `normal/` and `covid/|pneumonia/`. */
export function listCorpus(root: string): CorpusEntry[] {
  const dir = resolve(root);
  if (!isDir(dir)) {
    throw new InputError(
      `Cannot read the pretraining corpus ${dir}: no such folder (get the COVID-19 Radiography Database; see docs/pretraining.md)`,
    );
  }
  const csv = join(dir, "labels.csv");
  const out: CorpusEntry[] = [];
  if (isFile(csv)) {
    const lines = Deno.readTextFileSync(csv).split(/\r?\n/);
    lines.forEach((line, i) => {
      if (line.trim() === "" || (i === 0 && /^path\s*,/i.test(line))) return;
      const [path, label] = splitCsvLine(line, { trim: true }) ?? [];
      const l = corpusLabel(label ?? "");
      if (!path || l === null) {
        throw new InputError(`Cannot read ${csv}: line ${i + 1} needs path,label with label normal or covid/pneumonia`);
      }
      if (path.includes("..") || path.startsWith("/")) {
        throw new InputError(`Cannot read ${csv}: line ${i + 1} names a path outside the corpus (${path})`);
      }
      out.push({ path, label: l });
    });
  } else {
    for (const [folder, label] of [["normal", "normal"], ["covid", "pneumonia"], ["pneumonia", "pneumonia"]] as const) {
      if (!isDir(join(dir, folder))) continue;
      for (const f of listImages(join(dir, folder))) out.push({ path: `${folder}/${basename(f)}`, label });
    }
  }
  if (!out.some((e) => e.label === "normal") || !out.some((e) => e.label === "pneumonia")) {
    throw new InputError(`Cannot use ${dir} as a pretraining corpus: it needs both normal and covid/pneumonia images`);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Splits entries by file into (train, held-out): a seeded `fraction` of each label is held out. A pure function of
 * (entries, fraction, seed); the same corpus always gives the same split.
 */
export function splitCorpus(
  entries: readonly CorpusEntry[],
  fraction: number,
  seed: number,
): { train: CorpusEntry[]; heldOut: CorpusEntry[] } {
  const rng = new Rng(streamSeed(seed, "corpusSplit"));
  const train: CorpusEntry[] = [], heldOut: CorpusEntry[] = [];
  for (const label of ["normal", "pneumonia"] as const) {
    const mine = rng.shuffle(entries.filter((e) => e.label === label));
    const k = Math.round(mine.length * fraction);
    heldOut.push(...mine.slice(0, k));
    train.push(...mine.slice(k));
  }
  const byPath = (a: CorpusEntry, b: CorpusEntry) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { train: train.sort(byPath), heldOut: heldOut.sort(byPath) };
}

async function decodePart(
  root: string,
  entries: CorpusEntry[],
  size: number,
  bar: Progress | null,
): Promise<CorpusPart> {
  const pixels: Uint8Array[] = [];
  for (const e of entries) {
    const img = prepareImage(await readImage(join(root, e.path)), size);
    const px = new Uint8Array(size * size);
    for (let i = 0; i < px.length; i++) px[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
    pixels.push(px);
    bar?.tick();
  }
  return { entries, pixels, size };
}

/** Options for {@link loadRealCorpus}. */
export interface LoadCorpusOptions {
  /** Held-out fraction, by file and per label. @default 0.1 */
  heldOut?: number;
  /** Seed of the held-out split. @default 20241130 */
  splitSeed?: number;
  /** Use at most this many training files (a seeded, label-balanced subset; tests). @default all */
  limit?: number;
  /** Show a progress bar. @default true */
  progress?: boolean;
  /** Decode the held-out slice only (the training part is listed but left empty; evaluation). @default false */
  heldOutOnly?: boolean;
}

/** The held-out split's default seed: fixed, so that every recipe is chosen on the same files. */
export const CORPUS_SPLIT_SEED = 20241130;

/** Lists, splits and decodes a corpus at `size × size` (bicubic, as every test image). */
export async function loadRealCorpus(root: string, size: number, options: LoadCorpusOptions = {}): Promise<RealCorpus> {
  const dir = resolve(root);
  const all = listCorpus(dir);
  let { train, heldOut } = splitCorpus(all, options.heldOut ?? 0.1, options.splitSeed ?? CORPUS_SPLIT_SEED);
  if (options.limit !== undefined) {
    const half = Math.ceil(options.limit / 2);
    const rng = new Rng(streamSeed(options.splitSeed ?? CORPUS_SPLIT_SEED, "corpusLimit"));
    const pick = (xs: CorpusEntry[], k: number) => rng.shuffle(xs).slice(0, k);
    train = [
      ...pick(train.filter((e) => e.label === "normal"), half),
      ...pick(train.filter((e) => e.label !== "normal"), half),
    ];
    heldOut = [
      ...pick(heldOut.filter((e) => e.label === "normal"), half),
      ...pick(heldOut.filter((e) => e.label !== "normal"), half),
    ];
  }
  if (options.heldOutOnly) train = [];
  const bar = options.progress === false ? null : new Progress(train.length + heldOut.length, { label: "real corpus" });
  const trainPart = await decodePart(dir, train, size, bar);
  const heldPart = await decodePart(dir, heldOut, size, bar);
  bar?.finish();
  return { root: dir, train: trainPart, heldOut: heldPart };
}

/** The labels of a part's films `[n]`: 0 normal, 1 pneumonia. */
export function corpusLabels(part: CorpusPart): number[] {
  return part.entries.map((e) => (e.label === "normal" ? 0 : 1));
}

/** One image of a part as floats `[size*size]` in [0, 1]. */
export function corpusImage(part: CorpusPart, i: number): Float32Array {
  const px = part.pixels[i];
  const out = new Float32Array(px.length);
  for (let k = 0; k < px.length; k++) out[k] = px[k] / 255;
  return out;
}
