/**
 * Does a trained model point at the finding? The mean region probability per class, and the side check: on abnormal
 * images whose finding is on one side, how often the more probable lung half (the `left` or `right` region, image
 * sides) is the finding's side.
 * @module
 */

/**
 * One row per class (normal, abnormal): its number of images and the mean probability of each region,
 * `mean p(<region>)`. `labels` `[images]`, `probs` `[images][regions]`, `regionNames` `[regions]`.
 */
export function regionMeansByClass(
  labels: readonly number[],
  probs: readonly ArrayLike<number>[],
  regionNames: readonly string[],
): Record<string, string | number>[] {
  return [0, 1].map((cls) => {
    const idx = labels.map((l, i) => (l === cls ? i : -1)).filter((i) => i >= 0);
    const row: Record<string, string | number> = { class: cls ? "abnormal" : "normal", images: idx.length };
    regionNames.forEach((n, r) => (row[`mean p(${n})`] = idx.reduce((a, i) => a + probs[i][r], 0) / idx.length));
    return row;
  });
}

/** The side check's count: `hits` of `total` one-sided images had the more probable half on the finding's side. */
export interface SideCheck {
  hits: number;
  total: number;
}

/**
 * The side check over `probs` `[images][regions]`: for every image whose `sideOf(i)` is `left` or `right`, whether
 * the `left` region's probability exceeds the `right` one's exactly when the finding is on the image's left. Null
 * without `left`/`right` regions or one-sided images.
 */
export function sideCheck(
  probs: readonly ArrayLike<number>[],
  regionNames: readonly string[],
  sideOf: (index: number) => string | undefined,
): SideCheck | null {
  const left = regionNames.indexOf("left"), right = regionNames.indexOf("right");
  const sided = probs.map((_, i) => i).filter((i) => sideOf(i) === "left" || sideOf(i) === "right");
  if (left < 0 || right < 0 || sided.length === 0) return null;
  const hits = sided.filter((i) => (probs[i][left] > probs[i][right] ? "left" : "right") === sideOf(i));
  return { hits: hits.length, total: sided.length };
}

/** The side check in one sentence (or why it was skipped). */
export function describeSideCheck(check: SideCheck | null): string {
  if (!check) return "side check skipped: needs the left/right regions and the benchmark's manifest";
  return `side check: the more probable lung half is the finding's side for ${check.hits} of ${check.total} ` +
    `one-sided abnormal test images (${((100 * check.hits) / check.total).toFixed(1)} %; 50 % is chance)`;
}
