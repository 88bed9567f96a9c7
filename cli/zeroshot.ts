/**
 * `deno task zeroshot`: compares backbones before any prompt is learned: the zero-shot AUROC ("normal." vs
 * "pneumonia.") of each model on a real corpus's held-out slice, the synthetic benchmark's test split and the test split
 * of any data set, with 95 % bootstrap intervals, as a tidy CSV (one row per model × data × metric).
 * @module
 */
import { initBackend, requestedBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/mod.ts";
import { zeroShotOnData } from "../lib/experiments/mod.ts";
import { toTidy, writeCsvAtomic } from "../lib/report/mod.ts";
import { CORPUS_SPLIT_SEED, loadRealCorpus } from "../lib/train/mod.ts";
import {
  defineCommand,
  ensureOutFile,
  parseCommand,
  PROJECT_ROOT,
  relative,
  resolve,
  runMain,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "zeroshot",
  summary: 'zero-shot AUROC ("normal." vs "pneumonia.") of one or more CLIP checkpoints on a real corpus\'s held-out ' +
    "slice, the synthetic benchmark's test split and other data sets' test splits, with 95 % bootstrap intervals.",
  flags: {
    models: {
      type: "string",
      arg: "A,B",
      description: "checkpoints to compare",
      default: "models/ppad-mini-cxr-real/model.safetensors,models/ppad-mini-cxr-synthetic/model.safetensors",
    },
    real: {
      type: "string",
      arg: "DIR",
      description: "real corpus whose fixed held-out 10 % is scored (none: skip)",
      default: "../shared/data/covid-radiography-224",
    },
    data: {
      type: "string",
      arg: "DIR,…",
      description: "data sets whose test split is scored",
      default: "../shared/data/zhanglab-224",
    },
    "no-benchmark": { type: "boolean", description: "skip the synthetic benchmark's test split" },
    out: { type: "string", arg: "FILE", description: "tidy CSV to write", default: "print only" },
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
  },
  examples: [
    "deno task zeroshot",
    "deno task zeroshot --models chexzero.pt --real none --data /data/chest_xray --out zero-shot.csv",
  ],
});

/** Runs `deno task zeroshot` with `args`: prints each checkpoint's zero-shot AUROC per data set. */
export async function main(args: string[]): Promise<void> {
  const { values: v } = parseCommand(COMMAND, args);
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const models = list(v.models ?? String(COMMAND.flags.models.default)).map((m) => resolve(PROJECT_ROOT, m));
  const realDir = v.real ?? String(COMMAND.flags.real.default);
  const datasets = list(v.data ?? String(COMMAND.flags.data.default)).map((d) => resolve(PROJECT_ROOT, d));
  if (v.out !== undefined) await ensureOutFile(v.out, "--out");
  await initBackend(requestedBackend(v.backend), { quiet: true });
  const real = realDir === "none" || !(await Deno.stat(resolve(PROJECT_ROOT, realDir)).then(() => true, () => false))
    ? null
    : await loadRealCorpus(resolve(PROJECT_ROOT, realDir), 224, { heldOutOnly: true, progress: false });
  const rows: Record<string, string | number>[] = [];
  for (const path of models) {
    const bundle = await loadModelBundle(path);
    const results = await zeroShotOnData(bundle.clip, bundle.tokenizer, bundle.normalisation, {
      heldOut: real
        ? {
          label: `${relative(PROJECT_ROOT, real.root)} (held-out 10 %, seed ${CORPUS_SPLIT_SEED})`,
          part: real.heldOut,
        }
        : undefined,
      benchmark: !v["no-benchmark"],
      datasets,
    });
    for (const r of results) {
      for (const [metric, value] of [["auroc", r.auroc], ["auroc_lo", r.aurocLo], ["auroc_hi", r.aurocHi]] as const) {
        if (value === undefined) continue;
        rows.push({
          model: relative(PROJECT_ROOT, path),
          model_hash: bundle.hash,
          data: r.data,
          role: r.role,
          n: r.n,
          metric,
          value: Number(value.toFixed(5)),
        });
      }
      console.log(
        `${relative(PROJECT_ROOT, path).padEnd(44)} ${r.data.padEnd(64)} n=${String(r.n).padEnd(4)} AUROC ${
          (100 * r.auroc).toFixed(1)
        } (${(100 * (r.aurocLo ?? NaN)).toFixed(1)}–${(100 * (r.aurocHi ?? NaN)).toFixed(1)})`,
      );
    }
    bundle.clip.dispose();
  }
  if (v.out !== undefined) {
    await writeCsvAtomic(resolve(v.out), toTidy(rows));
    console.error(`wrote ${v.out}`);
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
