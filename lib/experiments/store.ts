/**
 * A sweep's results folder: one JSON record per finished run (written atomically, last: it marks completion), per-image
 * scores, trained prompts, and the tidy tables rebuilt from the records.
 *
 * Layout of `out/`: `runs/<id>.json`, `scores/<id>.csv`, `trained/<trainingId>.json` (per-region probabilities shared
 * by runs that differ only in scoring), `prompts/<trainingId>.safetensors` + `.json`, `runs.csv`, `summary.csv`, `charts/`.
 * @module
 */
import { basename, csvField, InputError, join, writeFileAtomic } from "../util/mod.ts";
import { summarise, toTidy, writeCsvAtomic } from "../report/mod.ts";
import type { TrainingDiagnostics } from "../eval/mod.ts";
import type { RunSpec } from "./config.ts";

/** The metrics recorded for every run. */
export const METRIC_NAMES = ["auroc", "ap", "acc", "f1", "f1max", "auroc_lo", "auroc_hi", "ap_lo", "ap_hi"] as const;

/** A finished run. */
export interface RunRecord {
  id: string;
  trainingId: string;
  spec: RunSpec;
  /** Ablation questions this run answers. */
  questions: string[];
  metrics: Record<string, number>;
  /** Test images scored (after skips). */
  nTest: number;
  positives: number;
  /** Normal training images the shots were drawn from (absent in records written before it was recorded). */
  nTrainNormal?: number;
  /** Wall-clock seconds of training + evaluation (0 when reused from a run differing only in scoring). */
  seconds: number;
  /** Per-step training loss. */
  losses: number[];
  /** Diagnostics (see lib/eval/diagnostics.ts `diagnosticValues`), e.g. `synthetic_auroc`, `region_auroc:left`. */
  diagnostics?: Record<string, number>;
  finishedAt: string;
}

/** Per-image probabilities of one trained prompt model, shared by runs that differ only in scoring. */
export interface TrainedRecord {
  trainingId: string;
  regionNames: string[];
  ids: string[];
  labels: number[];
  /** `[images][regions]` abnormal probabilities. */
  probs: number[][];
  losses: number[];
  seconds: number;
  /** Measurements taken during training (prompt shifts, synthetic probe, temperature). */
  diagnostics?: TrainingDiagnostics;
}

/** Reads a JSON file, or null if it does not exist; a corrupt file is an `InputError` naming it. */
export async function readJsonOrNull<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InputError(`Cannot read ${path}: invalid JSON (${(err as Error).message})`);
  }
}

/** Writes JSON atomically. */
export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 1) + "\n");
}

/** Paths inside a results folder. */
export const paths = {
  run: (out: string, id: string) => join(out, "runs", `${id}.json`),
  scores: (out: string, id: string) => join(out, "scores", `${id}.csv`),
  trained: (out: string, tid: string) => join(out, "trained", `${tid}.json`),
  /** Learned prompts: `prompts/<variant>_<regions>_<synthesis>_seed<seed>_<trainingId>.safetensors` (hash-only
   * `<trainingId>.safetensors` without `spec`: the name results written before the readable names use). */
  prompts: (out: string, tid: string, spec?: PromptsNameSpec) =>
    join(out, "prompts", `${spec ? promptsStem(spec, tid) : tid}.safetensors`),
};

/** The run fields a prompts file is named after. */
export type PromptsNameSpec = Pick<RunSpec, "variant" | "regions" | "synthesis" | "seed">;

/**
 * The file stem of saved prompts: which run they come from, readable (variant, regions, synthesis, seed), then the
 * training id, which stays their identity: `ppad_ppad5_sas_seed0_3f2a9c1b7d0e`.
 */
export function promptsStem(spec: PromptsNameSpec, tid: string): string {
  const safe = (v: string) => v.replace(/[^A-Za-z0-9.-]+/g, "-");
  return `${safe(spec.variant)}_${safe(spec.regions)}_${safe(spec.synthesis)}_seed${spec.seed}_${tid}`;
}

/**
 * Why `name` (an id read from a file, used as a file name) is not one safe path component, or null when it is one:
 * an empty name, a slash or backslash, `.`/`..` or a NUL character could name a file outside its folder.
 */
export function unsafeFileNameReason(name: string): string | null {
  if (name === "") return "is empty";
  if (name.includes("\0")) return "contains a NUL character";
  if (name.includes("/") || name.includes("\\")) return "contains a path separator (/ or \\)";
  if (name === "." || name.includes("..")) return 'contains "." or ".."';
  return null;
}

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as it appears in the file, short enough for a one-line message. */
function shown(v: unknown): string {
  const s = v === undefined ? "nothing" : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

const isNumberOrNull = (v: unknown) => typeof v === "number" || v === null;
const isCount = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks that `value` (parsed from the run record `file`) has a run record's shape: every required field with its
 * type, and `id`/`trainingId` that are single safe file names (they name the run's files). Metric values, losses and
 * diagnostics may be null (a NaN written as JSON). Returns it typed; otherwise throws a one-line `InputError` naming
 * `file` and the field.
 */
export function validateRunRecord(value: unknown, file: string): RunRecord {
  const fail = (what: string): never => {
    throw new InputError(`Cannot read run record ${file}: ${what}`);
  };
  if (!isObject(value)) return fail(`expected a JSON object, got ${shown(value)}`);
  const field = (obj: JsonObject, name: string, prefix: string, ok: (v: unknown) => boolean, expected: string) => {
    const v = obj[name];
    if (v === undefined) fail(`${prefix}${name} is missing`);
    if (!ok(v)) fail(`${prefix}${name} must be ${expected}, got ${shown(v)}`);
  };
  const optional = (obj: JsonObject, name: string, prefix: string, ok: (v: unknown) => boolean, expected: string) => {
    if (obj[name] !== undefined) field(obj, name, prefix, ok, expected);
  };
  const isString = (v: unknown) => typeof v === "string";
  for (const name of ["id", "trainingId"]) {
    field(value, name, "", isString, "a string");
    const why = unsafeFileNameReason(value[name] as string);
    if (why) fail(`${name} ${shown(value[name])} ${why}; it must be a single file name`);
  }
  field(value, "spec", "", isObject, "an object");
  const spec = value.spec as JsonObject;
  for (
    const name of ["variant", "regions", "synthesis", "scoring", "model", "modelHash", "data", "dataset", "backend"]
  ) {
    field(spec, name, "spec.", isString, "a string");
  }
  field(spec, "seed", "spec.", (v) => Number.isSafeInteger(v), "an integer");
  for (const name of ["shots", "steps", "nCtx"]) field(spec, name, "spec.", isCount, "an integer ≥ 0");
  for (const name of ["lr", "momentum"]) field(spec, name, "spec.", (v) => Number.isFinite(v), "a number");
  field(
    spec,
    "classWords",
    "spec.",
    (v) => Array.isArray(v) && v.length === 2 && v.every(isString),
    "two words",
  );
  optional(spec, "sides", "spec.", isString, "a string");
  optional(spec, "testLimit", "spec.", (v) => v === null || isCount(v), "an integer ≥ 0 or null");
  field(value, "questions", "", (v) => Array.isArray(v) && v.every(isString), "a list of strings");
  const numbers = (v: unknown) => isObject(v) && Object.values(v).every(isNumberOrNull);
  field(value, "metrics", "", numbers, "an object of numbers");
  field(value, "nTest", "", isCount, "an integer ≥ 0");
  field(value, "positives", "", isCount, "an integer ≥ 0");
  optional(value, "nTrainNormal", "", isCount, "an integer ≥ 0");
  field(value, "seconds", "", (v) => typeof v === "number", "a number");
  field(value, "losses", "", (v) => Array.isArray(v) && v.every(isNumberOrNull), "a list of numbers");
  optional(value, "diagnostics", "", numbers, "an object of numbers");
  field(value, "finishedAt", "", isString, "a string");
  return value as unknown as RunRecord;
}

/**
 * Reads and validates one run record (see {@link validateRunRecord}; its `id` must also match the file name
 * `<id>.json`), or null when the file does not exist. Invalid JSON or a wrong shape is a one-line `InputError`.
 */
export async function readRunRecord(path: string): Promise<RunRecord | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new InputError(`Cannot read run record ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`Cannot read run record ${path}: invalid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  const record = validateRunRecord(value, path);
  const name = basename(path);
  if (name.endsWith(".json") && name !== `${record.id}.json`) {
    throw new InputError(`Cannot read run record ${path}: id ${shown(record.id)} does not match the file name ${name}`);
  }
  return record;
}

/**
 * All finished run records in `out/runs/`, sorted by id, each validated (see {@link readRunRecord}): a malformed one
 * is a one-line `InputError` naming its file and field. No `runs/` folder means no records.
 */
export async function readRunRecords(out: string): Promise<RunRecord[]> {
  const dir = join(out, "runs");
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    if (err instanceof Deno.errors.NotADirectory) {
      throw new InputError(`Cannot read the runs of ${out}: ${out} or ${dir} is not a folder`);
    }
    throw err;
  }
  const records: RunRecord[] = [];
  for (const name of names.sort()) {
    const r = await readRunRecord(join(dir, name));
    if (r) records.push(r);
  }
  return records.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Tidy rows: one per run × metric. */
export function tidyRows(records: readonly RunRecord[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const r of records) {
    const s = r.spec;
    for (const metric of METRIC_NAMES) {
      if (!(metric in r.metrics)) continue;
      rows.push({
        run_id: r.id,
        variant: s.variant,
        regions: s.regions,
        synthesis: s.synthesis,
        scoring: s.scoring,
        sides: s.sides ?? "image",
        seed: s.seed,
        shots: s.shots,
        steps: s.steps,
        n_ctx: s.nCtx,
        lr: s.lr,
        momentum: s.momentum,
        class_words: s.classWords.join("|"),
        backend: s.backend,
        model: s.model,
        model_hash: s.modelHash,
        dataset: s.dataset,
        test_n: r.nTest,
        metric,
        value: r.metrics[metric],
        seconds: Number(r.seconds.toFixed(2)),
      });
    }
  }
  return rows;
}

/**
 * The columns of `runs.csv` that make a configuration of `summary.csv`: every field of the method and of its context
 * but the seed, so that runs differing in anything else (a learning rate, a model, a test subsample) are never
 * averaged as if they were seeds.
 */
const SUMMARY_KEYS = [
  "variant",
  "regions",
  "synthesis",
  "scoring",
  "sides",
  "shots",
  "steps",
  "n_ctx",
  "lr",
  "momentum",
  "class_words",
  "backend",
  "model_hash",
  "dataset",
  "test_n",
  "metric",
];

/** Rewrites `runs.csv` (tidy) and `summary.csv` (mean ± std per configuration and metric) from the records. */
export async function writeTables(out: string, records: readonly RunRecord[]): Promise<void> {
  const rows = tidyRows(records);
  if (rows.length === 0) return;
  await writeCsvAtomic(join(out, "runs.csv"), toTidy(rows));
  const summary = summarise(
    rows.filter((r) => !String(r.metric).endsWith("_lo") && !String(r.metric).endsWith("_hi")),
    SUMMARY_KEYS,
    "value",
    { digits: 4 },
  );
  await writeCsvAtomic(join(out, "summary.csv"), summary);
  const diag = diagnosticRows(records);
  if (diag.length) await writeCsvAtomic(join(out, "diagnostics.csv"), toTidy(diag));
}

/**
 * Tidy diagnostics, one row per trained configuration × measurement: `id` is the training id (runs that differ only
 * in scoring share their training and so their diagnostics).
 */
export function diagnosticRows(records: readonly RunRecord[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (!r.diagnostics || seen.has(r.trainingId)) continue;
    seen.add(r.trainingId);
    const s = r.spec;
    for (const [metric, value] of Object.entries(r.diagnostics)) {
      rows.push({
        id: r.trainingId,
        variant: s.variant,
        regions: s.regions,
        synthesis: s.synthesis,
        sides: s.sides ?? "image",
        seed: s.seed,
        metric,
        value,
      });
    }
  }
  return rows;
}

/** Writes the per-image scores of a run: `id,label,score,p_<region>…`. */
export async function writeScores(
  path: string,
  trained: TrainedRecord,
  scores: ArrayLike<number>,
): Promise<void> {
  const header = ["id", "label", "score", ...trained.regionNames.map((n) => `p_${n}`)];
  const lines = [header.join(",")];
  trained.ids.forEach((id, i) => {
    lines.push(
      [csvField(id), trained.labels[i], scores[i].toFixed(6), ...trained.probs[i].map((p) => p.toFixed(6))].join(","),
    );
  });
  await writeFileAtomic(path, lines.join("\n") + "\n");
}
