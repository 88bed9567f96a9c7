/**
 * Data for pretraining and checking the small CXR CLIP: seeded pools of synthetic image–report pairs at the model's
 * resolution (generated at the benchmark's 256 px and resized like every test image), and the zero-shot check.
 * @module
 */
import { FINDINGS, generateCase, type Normalisation, resize } from "../data/mod.ts";
import type { BpeTokenizer, ClipModel } from "../encoders/mod.ts";
import { auroc, aurocPerFinding } from "../metrics/mod.ts";
import { Progress, type Rng } from "../util/mod.ts";
import { zeroShotScores } from "../prompts/mod.ts";
import type { PairPool } from "./pretrain.ts";

/** Size at which the benchmark is generated (its PNGs are 256²). */
export const BENCHMARK_SIZE = 256;

/** One synthetic case resized to `resolution`: image `[resolution²]` in [0, 1], its report and finding. */
export function syntheticPair(
  rng: Rng,
  resolution: number,
  finding: string,
): { image: Float32Array; text: string; finding: string; group: string } {
  const c = generateCase(rng, { size: BENCHMARK_SIZE, finding: finding as never });
  const q = new Float32Array(c.image.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(Math.min(1, Math.max(0, c.image[i])) * 255) / 255;
  const img = resize(
    { width: BENCHMARK_SIZE, height: BENCHMARK_SIZE, data: q, bitDepth: 8, source: "synthetic" },
    resolution,
    resolution,
  );
  const group = c.finding === "normal" ? "normal" : `${c.finding}:${c.side}:${c.zone}`;
  return { image: img.data, text: c.report, finding: c.finding, group };
}

/** A pool of `n` pairs, half normal and half abnormal (findings uniform), drawn with `rng`. */
export function makePairPool(rng: Rng, n: number, resolution: number, options: { label?: string } = {}): PairPool {
  const bar = options.label ? new Progress(n, { label: options.label }) : null;
  const pool: PairPool = { images: [], texts: [], groups: [] };
  for (let i = 0; i < n; i++) {
    const finding = rng.bernoulli(0.5) ? "normal" : rng.pick(FINDINGS);
    const p = syntheticPair(rng, resolution, finding);
    pool.images.push(p.image);
    pool.texts.push(p.text);
    pool.groups!.push(p.group);
    bar?.tick();
  }
  bar?.finish();
  return pool;
}

/** Zero-shot AUROC overall and per finding (normals vs that finding). */
export interface ZeroShotResult {
  auroc: number;
  perFinding: Record<string, number>;
  n: number;
}

/** Zero-shot check of a pretrained and a random CLIP on `n` fresh cases (half normal, findings uniform). */
export function zeroShotReport(
  pretrained: ClipModel,
  random: ClipModel,
  tokenizer: BpeTokenizer,
  normalisation: Normalisation,
  rng: Rng,
  n: number,
): { pretrained: ZeroShotResult; random: ZeroShotResult } {
  const res = pretrained.config.imageResolution;
  const cases = Array.from(
    { length: n },
    (_, i) => syntheticPair(rng, res, i % 2 === 0 ? "normal" : FINDINGS[(i >> 1) % FINDINGS.length]),
  );
  const labels = cases.map((c) => (c.finding === "normal" ? 0 : 1));
  const evaluate = (model: ClipModel): ZeroShotResult => {
    const scores = zeroShotScores(model, tokenizer, normalisation, cases.map((c) => c.image));
    const byFinding = aurocPerFinding(cases.map((c) => c.finding), labels, scores, { findings: FINDINGS });
    const perFinding = Object.fromEntries(byFinding.map((f) => [f.finding, f.auroc]));
    return { auroc: auroc(labels, scores), perFinding, n };
  };
  return { pretrained: evaluate(pretrained), random: evaluate(random) };
}
