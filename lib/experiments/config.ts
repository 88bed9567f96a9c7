/**
 * Experiment configs as data: one run's full specification, its content hash, and sweeps (one-factor-at-a-time
 * questions around a base) expanded into runs.
 * @module
 */
import { InputError } from "../util/mod.ts";
import { parseScoring, type ScoringName } from "../eval/mod.ts";
import {
  canonicalVariantFields,
  getVariant,
  parseSides,
  regionSetNames,
  type Sides,
  type VariantName,
} from "../prompts/mod.ts";
import { SYNTHESIS_NAMES, type SynthesisName } from "../synthesis/mod.ts";

/** Everything that defines one run's method. */
export interface MethodSpec {
  variant: VariantName;
  /** Region set name (`ppad5`, `whole`, `lr`, `grid3x3`, or a registered custom set). */
  regions: string;
  synthesis: SynthesisName;
  scoring: ScoringName;
  /** Normal training images (k-shot). */
  shots: number;
  /** Optimisation steps (one batch of all shots each). */
  steps: number;
  lr: number;
  momentum: number;
  /** Learnable text context length. */
  nCtx: number;
  /** Class words, normal first. */
  classWords: [string, string];
  /** Which side "left"/"right" name in the position words (`image`: the paper's; `patient`: anatomical). */
  sides: Sides;
}

/** Where a run happens: model, data, backend and evaluation size. */
export interface RunContext {
  /** Checkpoint path as given (or the default's). */
  model: string;
  /** Checkpoint SHA-256 prefix. */
  modelHash: string;
  /** Data root. */
  data: string;
  dataset: string;
  backend: string;
  /** Test images used (stratified subsample), or null for all. */
  testLimit: number | null;
}

/** One run: method × seed × context. */
export interface RunSpec extends MethodSpec, RunContext {
  seed: number;
}

/** A sweep question: vary one or more method fields around the base. */
export interface Question {
  /** Short id, e.g. `prompts`, `regions`, `synthesis`, `scoring`. */
  name: string;
  /** What it asks, for tables and charts. */
  title: string;
  vary: Partial<{ [K in keyof MethodSpec]: MethodSpec[K][] }>;
}

/** A sweep config (committed in `experiments/`). */
export interface SweepConfig {
  name: string;
  description: string;
  base: MethodSpec;
  questions: Question[];
  /** Number of seeds (0…seeds−1). */
  seeds: number;
}

/** The paper's method settings: PPAD on ppad5 with SAS, 64 shots, 100 steps, SGD 1e-3 momentum 0.9, 16 context tokens. */
export const PAPER_METHOD: Readonly<MethodSpec> = Object.freeze<MethodSpec>({
  variant: "ppad",
  regions: "ppad5",
  synthesis: "sas",
  scoring: "paper",
  shots: 64,
  steps: 100,
  lr: 1e-3,
  momentum: 0.9,
  nCtx: 16,
  classWords: ["normal", "pneumonia"],
  sides: "image",
});

/**
 * Canonical form of a method: fields a variant ignores are fixed (the rules: `canonicalVariantFields`,
 * lib/prompts/variants.ts), so equivalent runs share one id. Class words are copied; the input is not modified.
 */
export function canonicalMethod(m: MethodSpec): MethodSpec {
  return canonicalVariantFields({ ...m, classWords: [...m.classWords] as [string, string] });
}

/** Validates a method's fields with one-line errors naming the field. */
export function validateMethod(m: MethodSpec): void {
  getVariant(m.variant);
  parseScoring(m.scoring);
  parseSides(m.sides);
  if (!regionSetNames().includes(m.regions)) {
    throw new InputError(
      `Cannot use regions ${JSON.stringify(m.regions)}: expected one of ${regionSetNames().join(", ")}`,
    );
  }
  if (!(SYNTHESIS_NAMES as readonly string[]).includes(m.synthesis)) {
    throw new InputError(
      `Cannot use synthesis ${JSON.stringify(m.synthesis)}: expected one of ${SYNTHESIS_NAMES.join(", ")}`,
    );
  }
  for (const k of ["shots", "steps", "nCtx"] as const) {
    if (!Number.isInteger(m[k]) || m[k] < 0) throw new InputError(`Cannot use ${k} ${m[k]}: expected an integer ≥ 0`);
  }
  if (!(m.lr >= 0) || !(m.momentum >= 0 && m.momentum < 1)) {
    throw new InputError(`Cannot use lr ${m.lr} / momentum ${m.momentum}: expected lr ≥ 0 and 0 ≤ momentum < 1`);
  }
}

/** Stable JSON: object keys sorted recursively. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** First 12 hex digits of the SHA-256 of a value's canonical JSON. */
export async function hashOf(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A run's id: the hash of its full spec. */
export function runId(spec: RunSpec): Promise<string> {
  return hashOf(spec);
}

/** The id of what a run trains: its spec without the scoring (runs differing only in scoring share training). */
export function trainingId(spec: RunSpec): Promise<string> {
  const { scoring: _scoring, ...rest } = spec;
  return hashOf(rest);
}

/** What {@link runContext} needs: the flags as given and what they resolved to. */
export interface RunContextInput {
  /** `--model` as given, or undefined for the embedded default. */
  modelFlag?: string;
  /** The checkpoint's path relative to the project root (used when `modelFlag` is absent). */
  modelRelative: string;
  modelHash: string;
  /** `--data` as given, or undefined for the synthetic benchmark. */
  dataFlag?: string;
  /** The resolved data root, and its path relative to the project root (what the context records). */
  dataRoot: string;
  dataRelative: string;
  /** `--dataset` as given. */
  dataset?: string;
  /** The data set the loader recognised in `--data` (e.g. `zhanglab` for the Kaggle layout), used without `--dataset`. */
  detectedDataset?: string;
  backend: string;
  testLimit: number | null;
}

/** The run context a sweep records (and hashes into run ids): the same inputs always give the same context. */
export function runContext(c: RunContextInput): RunContext {
  return {
    model: c.modelFlag ?? c.modelRelative,
    modelHash: c.modelHash,
    // Relative to the project root, so that the same data beside another clone gives the same run ids.
    data: c.dataRelative,
    dataset: c.dataset ?? (c.dataFlag ? c.detectedDataset ?? "custom" : "synthetic-cxr"),
    backend: c.backend,
    testLimit: c.testLimit,
  };
}

/**
 * One run's spec as a sweep builds it: the paper's method with `method` overriding it, canonicalised, in `context`,
 * for `seed`. A notebook that builds its run this way trains exactly the sweep's run (same id, shots and draws).
 */
export function makeRunSpec(method: Partial<MethodSpec>, context: RunContext, seed: number): RunSpec {
  const m: MethodSpec = { ...PAPER_METHOD, ...method, classWords: [...(method.classWords ?? PAPER_METHOD.classWords)] };
  validateMethod(m);
  return { ...canonicalMethod(m), ...context, seed };
}

/** A planned run with the questions it answers. */
export interface PlannedRun {
  spec: RunSpec;
  id: string;
  trainingId: string;
  questions: string[];
}

/**
 * Expands a sweep into distinct runs: for each question, each value of each varied field around the base, × seeds.
 * Runs equal after canonicalisation are merged (the base run answers every question).
 */
export async function planSweep(
  sweep: SweepConfig,
  context: RunContext,
  options: { seeds?: number; variants?: string[]; questions?: string[]; overrides?: Partial<MethodSpec> } = {},
): Promise<PlannedRun[]> {
  const seeds = options.seeds ?? sweep.seeds;
  const base = { ...sweep.base, ...options.overrides };
  const byId = new Map<string, PlannedRun>();
  for (const q of sweep.questions) {
    if (options.questions && !options.questions.includes(q.name)) continue;
    const combos: MethodSpec[] = [{ ...base }];
    for (const [field, values] of Object.entries(q.vary)) {
      const next: MethodSpec[] = [];
      for (const c of combos) for (const v of values as unknown[]) next.push({ ...c, [field]: v });
      combos.splice(0, combos.length, ...next);
    }
    for (const m of combos) {
      if (options.variants && !options.variants.includes(m.variant)) continue;
      validateMethod(m);
      const method = canonicalMethod(m);
      const seedList = getVariant(method.variant).trains ? [...Array(seeds).keys()] : [0];
      for (const seed of seedList) {
        const spec: RunSpec = { ...method, ...context, seed };
        const id = await runId(spec);
        const existing = byId.get(id);
        if (existing) {
          if (!existing.questions.includes(q.name)) existing.questions.push(q.name);
        } else byId.set(id, { spec, id, trainingId: await trainingId(spec), questions: [q.name] });
      }
    }
  }
  return [...byId.values()];
}

/** Parses `--shard i/n` (0 ≤ i < n). */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new InputError(`Cannot use --shard ${JSON.stringify(value)}: expected i/n with 0 ≤ i < n, e.g. 0/4`);
  }
  return { index, count };
}

/** The runs of shard `index` of `count`: every count-th run of the list sorted by id (stable across machines). */
export function shardRuns(runs: readonly PlannedRun[], shard: { index: number; count: number }): PlannedRun[] {
  return [...runs].sort((a, b) => (a.id < b.id ? -1 : 1)).filter((_, i) => i % shard.count === shard.index);
}
