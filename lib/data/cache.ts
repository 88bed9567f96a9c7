/**
 * The prepared-image cache: every image of a data set decoded and resized once, stored in one compact file beside the
 * data (`<root>/.ppad-cache-<resolution>.bin`), validated on load (stale or corrupt → rebuilt, or a clear error).
 *
 * File format (little endian): `"PPADCACH"` (8 bytes), uint32 version, uint32 header length H, H bytes of JSON
 * ({@link CacheHeader}), then `entries.length × resolution² ` samples, uint8 (`depth` 8) or uint16 (`depth` 16, used when
 * any source image has more than 8 bits). Written atomically.
 * @module
 */
import { basename, InputError, join, Progress, readFileHead, startsWithBytes, writeFileAtomic } from "../util/mod.ts";
import type { BadImagePolicy, SkippedImage } from "./datasets/load_images.ts";
import type { Dataset, DatasetName, LayoutName, Sample, Split } from "./datasets/types.ts";
import { type GrayImage, readImage } from "./image.ts";
import { prepareImage } from "./preprocess.ts";

const MAGIC = "PPADCACH";
/** Cache format version; files of another version are rebuilt. */
export const CACHE_VERSION = 1;
const PREFIX = 16;
const MAX_HEADER = 256 * 1024 * 1024;

/** One cached image: identity of the source file and where its pixels are. */
export interface CacheEntry {
  id: string;
  split: Split;
  label: 0 | 1;
  /** Source file size in bytes and modification time (ms), to detect changes. */
  size: number;
  mtimeMs: number;
  /** Bit depth after preparation (8 for 8-bit sources, else the source's). */
  bitDepth: number;
}

/** The JSON header of a cache file. */
export interface CacheHeader {
  version: number;
  resolution: number;
  filter: "bicubic";
  depth: 8 | 16;
  name: DatasetName;
  layout: LayoutName;
  entries: CacheEntry[];
  /** Files that could not be decoded when the cache was built (with `onBadImage: "skip"`). */
  skipped: (SkippedImage & { id: string; size: number; mtimeMs: number })[];
}

/** A cache read back: header and the raw pixel payload (`[entries * resolution * resolution]`). */
export interface CacheFile {
  header: CacheHeader;
  pixels: Uint8Array | Uint16Array;
}

/** Images ready for the model, aligned with `samples`. */
export interface PreparedImages {
  samples: Sample[];
  /** `resolution × resolution` images. */
  images: GrayImage[];
  skipped: SkippedImage[];
  /** The cache file used. */
  path: string;
  /** Whether the cache was (re)built by this call. */
  rebuilt: boolean;
}

/** The default cache file of a data set: `<root>/.ppad-cache-<resolution>.bin` (`-<manifest>` added for CSV manifests). */
export function defaultCachePath(ds: Dataset, resolution: number): string {
  const suffix = ds.manifest ? `-${basename(ds.manifest).replace(/\.csv$/i, "")}` : "";
  return join(ds.root, `.ppad-cache-${resolution}${suffix}.bin`);
}

function statOf(path: string): { size: number; mtimeMs: number } {
  try {
    const st = Deno.statSync(path);
    return { size: st.size, mtimeMs: st.mtime?.getTime() ?? 0 };
  } catch (err) {
    throw new InputError(
      `Cannot read ${path}: ${err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message}`,
    );
  }
}

/** Options for {@link buildCache}. */
export interface BuildCacheOptions {
  resolution: number;
  /** @default "fail" */
  onBadImage?: BadImagePolicy;
  /** @default {@link defaultCachePath} */
  path?: string;
  /** Show a progress bar. @default true */
  progress?: boolean;
}

/** Decodes and resizes every sample of `ds`, then writes the cache file atomically. */
export async function buildCache(ds: Dataset, opts: BuildCacheOptions): Promise<{ path: string; header: CacheHeader }> {
  const { resolution } = opts;
  if (!(Number.isInteger(resolution) && resolution > 0 && resolution <= 4096)) {
    throw new InputError(`Cannot prepare ${ds.root}: resolution ${resolution} must be an integer in 1–4096`);
  }
  const path = opts.path ?? defaultCachePath(ds, resolution);
  await refuseToOverwriteOtherFile(path);
  const policy = opts.onBadImage ?? "fail";
  const bar = opts.progress === false ? null : new Progress(ds.samples.length, { label: `prepare ${resolution}px` });
  const entries: CacheEntry[] = [];
  const images: GrayImage[] = [];
  const skipped: CacheHeader["skipped"] = [];
  for (const s of ds.samples) {
    let st = { size: -1, mtimeMs: -1 };
    try {
      st = statOf(s.path);
      const img = prepareImage(await readImage(s.path), resolution);
      images.push(img);
      entries.push({ id: s.id, split: s.split, label: s.label, ...st, bitDepth: img.bitDepth });
    } catch (err) {
      if (policy === "fail" || !(err instanceof InputError)) throw err;
      skipped.push({ id: s.id, path: s.path, reason: err.message, ...st });
    }
    bar?.tick();
  }
  bar?.finish();
  const depth: 8 | 16 = entries.some((e) => e.bitDepth > 8) ? 16 : 8;
  const header: CacheHeader = {
    version: CACHE_VERSION,
    resolution,
    filter: "bicubic",
    depth,
    name: ds.name,
    layout: ds.layout,
    entries,
    skipped,
  };
  await writeFileAtomic(path, encodeCache(header, images));
  return { path, header };
}

/**
 * Refuses, before any work, a cache path that holds a file other than a PPAD cache (a manifest, an image, anything
 * else): a cache may replace an older cache, never another file.
 */
async function refuseToOverwriteOtherFile(path: string): Promise<void> {
  if ((await Deno.stat(path).catch(() => null))?.isDirectory) {
    throw new InputError(`Cannot write the cache to ${path}: it is a folder`);
  }
  const head = await readFileHead(path, MAGIC.length);
  if (head && !startsWithBytes(head, [...new TextEncoder().encode(MAGIC)])) {
    throw new InputError(`Cannot write the cache to ${path}: it holds another file, not a PPAD cache (left as it is)`);
  }
}

/** Serialises a header and its images (each `resolution²`, values in [0, 1]) into cache-file bytes. */
export function encodeCache(header: CacheHeader, images: readonly GrayImage[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const per = header.resolution * header.resolution;
  const bytesPer = header.depth / 8;
  const out = new Uint8Array(PREFIX + json.length + images.length * per * bytesPer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, CACHE_VERSION, true);
  dv.setUint32(12, json.length, true);
  out.set(json, PREFIX);
  const max = header.depth === 16 ? 65535 : 255;
  let off = PREFIX + json.length;
  for (const img of images) {
    if (img.width !== header.resolution || img.height !== header.resolution) {
      throw new RangeError(`Cannot cache ${img.source}: ${img.width}×${img.height}, expected ${header.resolution}²`);
    }
    for (let i = 0; i < per; i++) {
      const v = Math.round(Math.min(1, Math.max(0, img.data[i])) * max);
      if (bytesPer === 1) out[off + i] = v;
      else dv.setUint16(off + 2 * i, v, true);
    }
    off += per * bytesPer;
  }
  return out;
}

/** Parses cache-file bytes; throws an `InputError` (`Cannot read cache <path>: …`) when they are not a valid cache. */
export function decodeCache(bytes: Uint8Array, path: string): CacheFile {
  const bad = (why: string): never => {
    throw new InputError(`Cannot read cache ${path}: ${why}`);
  };
  if (bytes.length < PREFIX || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) bad("not a PPAD cache file");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== CACHE_VERSION) bad(`format version ${version}, expected ${CACHE_VERSION}`);
  const hlen = dv.getUint32(12, true);
  if (hlen > MAX_HEADER || PREFIX + hlen > bytes.length) {
    bad(`header length ${hlen} exceeds the file (${bytes.length} bytes)`);
  }
  let header: CacheHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + hlen)));
  } catch (err) {
    return bad(`corrupt header (${(err as Error).message})`);
  }
  const okHeader = header !== null && typeof header === "object" && Number.isInteger(header.resolution) &&
    header.resolution > 0 && (header.depth === 8 || header.depth === 16) && Array.isArray(header.entries) &&
    Array.isArray(header.skipped) && header.entries.every((e) => typeof e?.id === "string");
  if (!okHeader) bad("corrupt header (missing fields)");
  const per = header.resolution * header.resolution * (header.depth / 8);
  const payload = bytes.length - PREFIX - hlen;
  if (payload !== header.entries.length * per) {
    bad(`payload holds ${payload} bytes, ${header.entries.length * per} expected for ${header.entries.length} images`);
  }
  const start = bytes.byteOffset + PREFIX + hlen;
  let pixels: Uint8Array | Uint16Array;
  if (header.depth === 8) pixels = bytes.subarray(PREFIX + hlen);
  else if (start % 2 === 0) pixels = new Uint16Array(bytes.buffer, start, payload / 2);
  else pixels = new Uint16Array(bytes.slice(PREFIX + hlen).buffer);
  return { header, pixels };
}

/** Reads and validates a cache file (see {@link decodeCache}); a missing file is an `InputError`. */
export async function readCache(path: string): Promise<CacheFile> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`Cannot read cache ${path}: no such file`);
    throw err;
  }
  return decodeCache(bytes, path);
}

/** Why a cache no longer matches `ds` at `resolution` (a file added, removed or changed), or null when it is current. */
export function cacheStaleReason(header: CacheHeader, ds: Dataset, resolution: number): string | null {
  if (header.resolution !== resolution) return `built for ${header.resolution}px, ${resolution}px requested`;
  const byId = new Map(ds.samples.map((s) => [s.id, s]));
  const cached = [...header.entries, ...header.skipped];
  if (cached.length !== ds.samples.length) {
    return `it holds ${cached.length} images, the data set lists ${ds.samples.length}`;
  }
  for (const e of cached) {
    const s = byId.get(e.id);
    if (!s) return `${e.id} is no longer in the data set`;
    let st: { size: number; mtimeMs: number };
    try {
      st = statOf(s.path);
    } catch {
      return `${e.id} cannot be read`;
    }
    if (st.size !== e.size || st.mtimeMs !== e.mtimeMs) return `${e.id} changed since the cache was built`;
    if ("split" in e && (e.split !== s.split || e.label !== s.label)) return `${e.id} changed split or label`;
  }
  return null;
}

/** The image of cache entry `k` (`resolution × resolution`, values in [0, 1]). */
export function cacheImage(cache: CacheFile, k: number, root: string): GrayImage {
  const { header, pixels } = cache;
  const per = header.resolution * header.resolution;
  const scale = header.depth === 16 ? 65535 : 255;
  const data = new Float32Array(per);
  const off = k * per;
  for (let i = 0; i < per; i++) data[i] = pixels[off + i] / scale;
  const e = header.entries[k];
  return { width: header.resolution, height: header.resolution, data, bitDepth: e.bitDepth, source: join(root, e.id) };
}

/** All images of a cache file, aligned with its entries. */
export function cacheImages(cache: CacheFile, root: string): GrayImage[] {
  return cache.header.entries.map((_, k) => cacheImage(cache, k, root));
}

/** Options for {@link loadPrepared}. */
export interface LoadPreparedOptions {
  resolution: number;
  /** @default "fail" */
  onBadImage?: BadImagePolicy;
  /** @default {@link defaultCachePath} */
  path?: string;
  /** `"auto"`: build a missing, stale or corrupt cache; `"never"`: throw instead; `"always"`: rebuild. @default "auto" */
  rebuild?: "auto" | "never" | "always";
  /** Progress bar while building. @default true */
  progress?: boolean;
  /** Return only the samples this accepts (e.g. one split), to save memory; the cache still covers every image. */
  select?: (sample: Sample) => boolean;
}

/**
 * The data set's images at `resolution`, from its cache (built or rebuilt as `rebuild` allows). With `onBadImage:
 * "fail"` (the default, else the data set's own `onBadImage`) a cache that recorded undecodable files throws an
 * `InputError` naming the first one. Memory: 4 bytes per pixel per returned image (VinDr's 6,000 at 224² ≈ 1.2 GB),
 * so pass `select` to take one split.
 */
export async function loadPrepared(ds: Dataset, opts: LoadPreparedOptions): Promise<PreparedImages> {
  const onBadImage = opts.onBadImage ?? ds.onBadImage ?? "fail";
  const path = opts.path ?? defaultCachePath(ds, opts.resolution);
  const mode = opts.rebuild ?? "auto";
  let cache: CacheFile | null = null;
  let why = "";
  if (mode !== "always") {
    try {
      cache = await readCache(path);
      const stale = cacheStaleReason(cache.header, ds, opts.resolution);
      if (stale) {
        why = `stale: ${stale}`;
        cache = null;
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      why = err.message;
    }
    if (!cache && mode === "never") {
      throw new InputError(
        `Cannot use prepared images for ${ds.root}: ${why}; run \`deno task prepare --data ${ds.root}\` first`,
      );
    }
    if (!cache && why) console.error(`prepare: rebuilding ${path} (${why})`);
  }
  let rebuilt = false;
  if (!cache) {
    await buildCache(ds, {
      resolution: opts.resolution,
      onBadImage,
      path,
      progress: opts.progress,
    });
    cache = await readCache(path);
    rebuilt = true;
  }
  const { header } = cache;
  if (onBadImage === "fail" && header.skipped.length > 0) throw new InputError(header.skipped[0].reason);
  const byId = new Map(ds.samples.map((s) => [s.id, s]));
  const samples: Sample[] = [];
  const images: GrayImage[] = [];
  header.entries.forEach((e, k) => {
    const s = byId.get(e.id) as Sample;
    if (opts.select && !opts.select(s)) return;
    samples.push(s);
    images.push(cacheImage(cache, k, ds.root));
  });
  return {
    samples,
    images,
    skipped: header.skipped.map(({ path, reason }) => ({ path, reason })),
    path,
    rebuilt,
  };
}
