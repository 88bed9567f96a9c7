/**
 * Decoding the images of a sample list, with a policy for unreadable files.
 * @module
 */
import { InputError, Progress } from "../../util/mod.ts";
import { type GrayImage, readImage } from "../image.ts";
import { prepareImage } from "../preprocess.ts";
import type { Sample } from "./types.ts";

/** What to do with an image that cannot be read or decoded. */
export type BadImagePolicy = "fail" | "skip";

/** Validates an `--on-bad-image` value. */
export function parseBadImagePolicy(value: string): BadImagePolicy {
  if (value === "fail" || value === "skip") return value;
  throw new InputError(`Cannot use --on-bad-image ${JSON.stringify(value)}: expected fail or skip`);
}

/** Options for {@link loadImages}. */
export interface LoadImagesOptions {
  /** Resize every image to `resolution × resolution` (Pillow bicubic); omitted: keep the decoded size. */
  resolution?: number;
  /** @default "fail" */
  onBadImage?: BadImagePolicy;
  /** Show a progress bar with this label. */
  progress?: string;
}

/** An image left out under `onBadImage: "skip"`, and why. */
export interface SkippedImage {
  path: string;
  reason: string;
}

/**
 * Decodes (and optionally resizes) each sample's image (a data set's {@link Sample}s, or anything with a `path`). With
 * `onBadImage: "skip"` a file that cannot be decoded is listed in `skipped` and left out of `images`/`samples` (which
 * stay aligned); with `"fail"` its `InputError` is thrown.
 */
export async function loadImages<S extends { path: string } = Sample>(
  samples: readonly S[],
  opts: LoadImagesOptions = {},
): Promise<{ images: GrayImage[]; samples: S[]; skipped: SkippedImage[] }> {
  const policy = opts.onBadImage ?? "fail";
  const images: GrayImage[] = [];
  const kept: S[] = [];
  const skipped: SkippedImage[] = [];
  const bar = opts.progress ? new Progress(samples.length, { label: opts.progress }) : null;
  for (const s of samples) {
    try {
      const img = await readImage(s.path);
      images.push(opts.resolution ? prepareImage(img, opts.resolution) : img);
      kept.push(s);
    } catch (err) {
      if (policy === "fail" || !(err instanceof InputError)) throw err;
      skipped.push({ path: s.path, reason: err.message });
    }
    bar?.tick();
  }
  bar?.finish();
  return { images, samples: kept, skipped };
}
