/**
 * A loaded model described in one table: checkpoint, hash, card name, both towers' sizes, parameter count,
 * normalisation, temperature, and what its card records about its training.
 * @module
 */
import { PROJECT_ROOT, relative } from "../util/mod.ts";
import type { ModelBundle } from "./bundle.ts";
import { parameterCount } from "./clip/mod.ts";

/** One line of {@link modelSummaryRows}. */
export type ModelSummaryRow = {
  field: string;
  value: string;
};

/** Numbers rounded to 4 significant digits, as compact JSON. */
function _compact(value: unknown): string {
  return JSON.stringify(value, (_k, x) => (typeof x === "number" ? Number(x.toPrecision(4)) : x));
}

/**
 * The model as `field`/`value` rows: checkpoint (relative to the project root), SHA-256 prefix, card name, image and
 * text encoder, joint embedding, parameters, normalisation and logit scale, then every `training.*` entry of its card
 * and its zero-shot record (nested records as compact JSON).
 */
export function modelSummaryRows(bundle: ModelBundle): ModelSummaryRow[] {
  const c = bundle.clip.config;
  const training = (bundle.card?.training ?? {}) as Record<string, unknown>;
  const { mean, std } = bundle.normalisation;
  return [
    { field: "checkpoint", value: relative(PROJECT_ROOT, bundle.path) },
    { field: "SHA-256 prefix", value: bundle.hash },
    { field: "name", value: bundle.card?.name ?? "(no card: an external checkpoint)" },
    {
      field: "image encoder",
      value: `ViT ${c.imageResolution} px, patch ${c.patchSize}, width ${c.visionWidth}, ${c.visionLayers} layers`,
    },
    {
      field: "text encoder",
      value: `width ${c.textWidth}, ${c.textLayers} layers, context ${c.contextLength}, vocabulary ${c.vocabSize}`,
    },
    { field: "joint embedding", value: `${c.embedDim} dimensions` },
    { field: "parameters", value: parameterCount(c).toLocaleString("en") },
    { field: "normalisation", value: `mean ${mean[0].toFixed(4)}, std ${std[0].toFixed(4)}` },
    { field: "logit scale", value: Math.exp(bundle.clip.logitScale.dataSync()[0]).toFixed(2) },
    ...Object.entries(training).map(([k, v]) => ({
      field: `card: training.${k}`,
      value: typeof v === "object" && v !== null ? _compact(v) : String(v),
    })),
    ...(bundle.card?.zeroShot
      ? [{ field: "card: zeroShot (at pretraining)", value: _compact(bundle.card.zeroShot) }]
      : []),
  ];
}
