/**
 * Tiny fake chest X-ray data sets in every real layout, for tests (ours and the end-to-end ones). Images are small
 * synthetic "radiographs" (two dark lung fields on a brighter body, noise; abnormal ones get a bright blob), written in a
 * mix of formats: 8-bit PNG, 16-bit PNG, JPEG, and optionally one DICOM and one corrupt file.
 * @module
 */
import { join } from "../lib/util/path.ts";
import type { Rng } from "../lib/util/rng.ts";
import { encodeDicom } from "./dicom_write.ts";
import { encodeGrayJpeg, type GrayImage } from "../lib/data/image.ts";
import { encodePng } from "../lib/data/png.ts";
import type { Counts, LayoutName, Split } from "../lib/data/datasets/types.ts";
import type { CorpusPart } from "../lib/train/real_corpus.ts";

/** Options for {@link makeFakeDataset}. */
export interface FakeDatasetOptions {
  /** Normal test images. */
  normal: number;
  /** Abnormal test images. */
  abnormal: number;
  /** Normal training images. */
  trainNormal: number;
  /** Abnormal training images (layouts that have them). @default 0 */
  trainAbnormal?: number;
  /** Validation images per class (layouts that have a val split). @default 0 */
  val?: number;
  rng: Rng;
  /** Add one undecodable file to the abnormal test images (listed, so counts include it). @default false */
  corrupt?: boolean;
  /** Write the first normal test image as DICOM (MONOCHROME1, 12-bit). @default false */
  dicom?: boolean;
  /** Image side in pixels. @default 64 */
  size?: number;
  /** Med-AD folder name. @default "VinCXR" */
  medadName?: "VinCXR" | "RSNA";
}

/** What {@link makeFakeDataset} wrote. */
export interface FakeDataset {
  /** Pass this to `loadDataset`. */
  root: string;
  layout: LayoutName;
  /** Expected counts as listed (a corrupt file counts as abnormal test). */
  counts: Counts;
  /** The undecodable file, when `corrupt` was set. */
  corruptPath?: string;
  /** Every image file written. */
  files: string[];
}

type Format = "png8" | "png16" | "jpeg" | "dicom";
const EXT: Record<Format, string> = { png8: ".png", png16: ".png", jpeg: ".jpeg", dicom: ".dcm" };

/** A synthetic radiograph `[size * size]` in [0, 1]; `abnormal` adds a bright blob in one lung. */
export function fakeRadiograph(size: number, abnormal: boolean, rng: Rng): GrayImage {
  const data = new Float32Array(size * size);
  const lungs = [
    { cx: 0.3 + rng.uniform(-0.03, 0.03), cy: 0.5 + rng.uniform(-0.03, 0.03) },
    { cx: 0.7 + rng.uniform(-0.03, 0.03), cy: 0.5 + rng.uniform(-0.03, 0.03) },
  ];
  const blob = abnormal ? { ...rng.pick(lungs), r: rng.uniform(0.06, 0.14), a: rng.uniform(0.25, 0.45) } : null;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size, v = (y + 0.5) / size;
      let val = 0.55 + 0.25 * v;
      for (const l of lungs) {
        const d = ((u - l.cx) / 0.16) ** 2 + ((v - l.cy) / 0.3) ** 2;
        if (d < 1) val -= 0.35 * (1 - d);
      }
      if (blob) {
        const d = Math.hypot(u - blob.cx, v - blob.cy) / blob.r;
        if (d < 1) val += blob.a * (1 - d * d);
      }
      data[y * size + x] = Math.min(1, Math.max(0, val + rng.normal(0, 0.03)));
    }
  }
  return { width: size, height: size, data, bitDepth: 16, source: "fake" };
}

/** Encodes an image in the given format (DICOM: MONOCHROME1, 12 bits stored, rescale and window set). */
export function encodeAs(img: GrayImage, format: Format): Uint8Array {
  const n = img.width * img.height;
  if (format === "png8" || format === "png16") {
    const bits = format === "png8" ? 8 : 16;
    const max = bits === 8 ? 255 : 65535;
    const out = bits === 8 ? new Uint8Array(n) : new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(img.data[i] * max);
    return encodePng({ width: img.width, height: img.height, channels: 1, data: out });
  }
  if (format === "jpeg") return encodeGrayJpeg(img, 92);
  const px = new Uint16Array(n);
  // MONOCHROME1: stored high = dark. Stored s → modality 2s − 100; window over the full modality range.
  for (let i = 0; i < n; i++) px[i] = Math.round((1 - img.data[i]) * 4095);
  return encodeDicom({
    width: img.width,
    height: img.height,
    pixels: px,
    bitsStored: 12,
    photometric: "MONOCHROME1",
    rescaleSlope: 2,
    rescaleIntercept: -100,
    windowCenter: 4095 - 100 + 0.5,
    windowWidth: 2 * 4095 + 1,
  });
}

/** The bytes of a file that claims to be a PNG but is cut short. */
export function corruptPngBytes(): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44]);
}

interface Entry {
  split: Split;
  label: 0 | 1;
  format: Format;
  stem: string;
}

function plan(opts: FakeDatasetOptions): Entry[] {
  const cycle: Format[] = ["png8", "png8", "png16", "jpeg"];
  const out: Entry[] = [];
  let k = 0;
  const add = (split: Split, label: 0 | 1, count: number) => {
    for (let i = 0; i < count; i++) {
      const first = split === "test" && label === 0 && i === 0;
      const format: Format = opts.dicom && first ? "dicom" : cycle[k++ % cycle.length];
      out.push({
        split,
        label,
        format,
        stem: `${split}_${label === 0 ? "normal" : "abnormal"}_${String(i).padStart(4, "0")}`,
      });
    }
  };
  add("train", 0, opts.trainNormal);
  add("train", 1, opts.trainAbnormal ?? 0);
  add("val", 0, opts.val ?? 0);
  add("val", 1, opts.val ?? 0);
  add("test", 0, opts.normal);
  add("test", 1, opts.abnormal);
  return out;
}

/** Folder (relative to the layout root) for a split/label, per folder layout. */
function folderFor(layout: LayoutName, split: Split, label: 0 | 1): string {
  switch (layout) {
    case "zhanglab-kaggle":
      return join("chest_xray", split, label === 0 ? "NORMAL" : "PNEUMONIA");
    case "zhanglab-squid":
      return join(split, label === 0 ? "normal_256" : "pneumonia_256");
    case "chexpert-squid":
      return join(
        split === "test" ? "our_test_256_pa" : `${split}_256_pa`,
        label === 0 ? "normal_256" : "abnormal_256",
      );
    case "bmad-rsna":
      return join(split === "val" ? "valid" : split, label === 0 ? "good" : "Ungood");
    default:
      return "images";
  }
}

/**
 * Writes a fake data set under `dir` in `layout` and returns where it is and what it holds. Layouts without a val
 * split (CheXpert, Med-AD) ignore `val`; Med-AD and BMAD (normal-only training folders) ignore `trainAbnormal`.
 */
export async function makeFakeDataset(dir: string, layout: LayoutName, opts: FakeDatasetOptions): Promise<FakeDataset> {
  const size = opts.size ?? 64;
  const o = { ...opts };
  if (layout === "chexpert-squid" || layout === "medad") o.val = 0;
  if (layout === "medad" || layout === "bmad-rsna") o.trainAbnormal = 0;
  const entries = plan(o);
  const base = layout === "medad" ? join(dir, o.medadName ?? "VinCXR") : dir;
  const counts: Counts = {
    train: { normal: 0, abnormal: 0 },
    val: { normal: 0, abnormal: 0 },
    test: { normal: 0, abnormal: 0 },
  };
  const files: string[] = [];
  const listed: { entry: Entry; rel: string }[] = [];
  for (const entry of entries) {
    const folder = folderFor(layout, entry.split, entry.label);
    const rel = join(folder, entry.stem + EXT[entry.format]);
    const path = join(base, rel);
    await Deno.mkdir(join(base, folder), { recursive: true });
    await Deno.writeFile(path, encodeAs(fakeRadiograph(size, entry.label === 1, o.rng), entry.format));
    files.push(path);
    listed.push({ entry, rel });
    counts[entry.split][entry.label === 0 ? "normal" : "abnormal"]++;
  }
  let corruptPath: string | undefined;
  if (o.corrupt) {
    const folder = folderFor(layout, "test", 1);
    const rel = join(folder, "corrupt_0000.png");
    corruptPath = join(base, rel);
    await Deno.mkdir(join(base, folder), { recursive: true });
    await Deno.writeFile(corruptPath, corruptPngBytes());
    files.push(corruptPath);
    listed.push({ entry: { split: "test", label: 1, format: "png8", stem: "corrupt_0000" }, rel });
    counts.test.abnormal++;
  }
  let root = base;
  if (layout === "medad") {
    const names = (split: Split, label: 0 | 1) =>
      listed.filter((l) => l.entry.split === split && l.entry.label === label).map((l) =>
        l.rel.slice("images/".length)
      );
    const json = { train: { "0": names("train", 0) }, test: { "0": names("test", 0), "1": names("test", 1) } };
    await Deno.writeTextFile(join(base, "data.json"), JSON.stringify(json, null, 1));
  } else if (layout === "csv") {
    const rows = listed.map((l) => `${l.rel},${l.entry.label === 0 ? "normal" : "abnormal"},${l.entry.split}`);
    root = join(base, "manifest.csv");
    await Deno.writeTextFile(root, ["path,label,split", ...rows].join("\n") + "\n");
  }
  return { root, layout, counts, corruptPath, files };
}

/**
 * A decoded corpus part of `n` flat films (`size × size`, film i a uniform grey of 60 + 10 i), alternating normal and
 * pneumonia (odd indices), for tests of the pretraining mix.
 */
export function flatCorpusPart(n: number, size: number): CorpusPart {
  return {
    entries: Array.from({ length: n }, (_, i) => ({
      path: `${i % 2 ? "covid" : "normal"}/${i}.jpg`,
      label: i % 2 ? "pneumonia" as const : "normal" as const,
    })),
    pixels: Array.from({ length: n }, (_, i) => new Uint8Array(size * size).fill(60 + i * 10)),
    size,
  };
}
