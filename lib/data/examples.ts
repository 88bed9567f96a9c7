/**
 * Choosing example images to show from a labelled test set: a stable order that prefers informative images (e.g.
 * abnormal ones whose finding is on one side) and covers every finding before repeating one.
 * @module
 */
import type { CaseInfo } from "./synthetic/mod.ts";

/** Options for {@link pickExamples}. */
export interface PickExamplesOptions {
  /** Indices for which this is true come first (e.g. abnormal images with a one-sided finding). */
  prefer?: (index: number) => boolean;
  /** Among equally preferred indices, one per distinct key first (e.g. one image per finding), then the rest. */
  key?: (index: number) => string;
}

/**
 * Up to `n` indices of `labels` `[images]` equal to `label`, in a stable order: preferred indices first, one per
 * distinct key before repeats, otherwise in index order.
 */
export function pickExamples(
  labels: ArrayLike<number>,
  label: number,
  n: number,
  options: PickExamplesOptions = {},
): number[] {
  const all = Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === label);
  const tiers = options.prefer ? [all.filter(options.prefer), all.filter((i) => !options.prefer!(i))] : [all];
  const out: number[] = [];
  for (const tier of tiers) {
    const firsts: number[] = [];
    if (options.key) {
      const seen = new Set<string>();
      for (const i of tier) {
        const k = options.key(i);
        if (!seen.has(k)) {
          seen.add(k);
          firsts.push(i);
        }
      }
    }
    out.push(...firsts, ...tier.filter((i) => !firsts.includes(i)));
  }
  return out.slice(0, Math.max(0, n));
}

/** True when the case's finding is on one side of the image (`left` or `right`, image sides). */
export function isOneSided(info: CaseInfo | undefined): boolean {
  return info?.side === "left" || info?.side === "right";
}

/** Options for {@link showcaseExamples}. */
export interface ShowcaseOptions {
  /** Normal images. */
  normals: number;
  /** Abnormal images. */
  abnormal: number;
  /** What the benchmark's manifest says about image `i` (undefined off the synthetic benchmark). */
  caseOf?: (index: number) => CaseInfo | undefined;
}

/**
 * Example test images: `normals` normal ones, then `abnormal` abnormal ones, those with a one-sided finding first and
 * one per finding before repeats (when `caseOf` knows the findings). Indices into `labels` `[images]`.
 */
export function showcaseExamples(labels: ArrayLike<number>, options: ShowcaseOptions): number[] {
  const caseOf = options.caseOf ?? (() => undefined);
  return [
    ...pickExamples(labels, 0, options.normals),
    ...pickExamples(labels, 1, options.abnormal, {
      prefer: (i) => isOneSided(caseOf(i)),
      key: (i) => caseOf(i)?.finding ?? "",
    }),
  ];
}

/** A short caption for an example: its finding and, when one-sided, its image side; else `normal` / `abnormal`. */
export function caseCaption(info: CaseInfo | undefined, label: number): string {
  if (info?.finding) return info.finding + (isOneSided(info) ? `, image ${info.side}` : "");
  return label ? "abnormal" : "normal";
}
