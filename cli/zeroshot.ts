/**
 * `deno task zeroshot`: compares backbones before any prompt is learned: the zero-shot AUROC ("normal." vs
 * "pneumonia.") of each model on a real corpus's held-out slice, the synthetic benchmark's test split and the test split
 * of any data set, with 95 % bootstrap intervals, as a tidy CSV (one row per model × data × metric) and a chart (one
 * panel per evaluation set, one row per backbone). `--from` redraws the chart of tables it wrote, scoring nothing.
 * @module
 */
import { initBackend, requestedBackend } from "../lib/backend.ts";
import {
  backboneChart,
  imageProbeBackbones,
  imageProbeChart,
  judgeCandidates,
  pixelProbe,
  readZeroShotTables,
  verdictRows,
  verdictTable,
  zeroShotBackbones,
  zeroShotLine,
  zeroShotPoints,
} from "../lib/experiments/mod.ts";
import { modelFiles } from "../lib/encoders/mod.ts";
import { saveChart, toTidy, writeCsvAtomic } from "../lib/report/mod.ts";
import {
  basename,
  defineCommand,
  dirname,
  ensureOutFile,
  InputError,
  type NamedInput,
  numberFlag,
  parseCommand,
  PROJECT_ROOT,
  resolve,
  runMain,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "zeroshot",
  summary: 'zero-shot AUROC ("normal." vs "pneumonia.") of one or more CLIP checkpoints on a real corpus\'s held-out ' +
    "slice (and, as diagnostics, its normals against the same films with an opacity, and its films with the frames " +
    "of films of the other label), the synthetic benchmark's " +
    "test split and other data sets' test splits, with 95 % bootstrap intervals.",
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
    "no-lesion-probe": {
      type: "boolean",
      description: "skip the diagnostic of held-out normals against the same films with an opacity",
    },
    "no-frame-probe": {
      type: "boolean",
      description: "skip the diagnostic of the held-out films with the frame (outer 14 px) of films of the other label",
    },
    out: { type: "string", arg: "FILE", description: "tidy CSV to write", default: "print only" },
    chart: {
      type: "string",
      arg: "FILE",
      description: "chart to write: FILE.svg and FILE.png (a .png or .svg ending is dropped)",
      default: "none",
    },
    from: {
      type: "string",
      arg: "CSV,…",
      description: "draw --chart from tables this command wrote (or --judge them), scoring nothing",
      default: "score the models",
    },
    judge: {
      type: "string",
      arg: "RECIPE",
      description:
        "apply the choosing rule: each candidate against the range of RECIPE's seeds (backbones RECIPE and " +
        "RECIPE-seedN) on the held-out slice and the synthetic benchmark; better = above the range on one, not below " +
        "on the other (with --from, --out writes the verdicts as a tidy CSV)",
      default: "none",
    },
    candidates: {
      type: "string",
      arg: "A,B",
      description: "the backbones --judge judges (short names, as in the chart)",
      default: "every backbone not of RECIPE",
    },
    probe: {
      type: "string",
      arg: "FILE",
      description: "instead of the zero-shot table, where the AUROC is lost: the prompts against linear probes of " +
        "the image features; writes FILE.csv and its chart (--from: redraws it)",
      default: "none",
    },
    "pixel-probe": {
      type: "string",
      arg: "FILE",
      description: "instead of the zero-shot table, baselines with no network: logistic regressions on 32 × 32 " +
        "thumbnails; writes FILE.csv and its chart",
      default: "none",
    },
    "probe-limit": {
      type: "string",
      arg: "N",
      description: "use at most N training and N held-out files of the corpus (label-balanced; a quick try)",
      default: "all",
    },
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
  },
  examples: [
    "deno task zeroshot",
    "deno task zeroshot --models chexzero.pt --real none --data /data/chest_xray --out zero-shot.csv",
    "deno task zeroshot --from results/backbones/zero-shot.csv,results/backbones/candidates-zero-shot.csv " +
    "--chart results/backbones/zero-shot",
    "deno task zeroshot --probe results/backbones/image-probe",
    "deno task zeroshot --pixel-probe results/backbones/pixel-probe",
    "deno task zeroshot --probe results/backbones/image-probe " +
    "--from results/backbones/image-probe.csv,results/backbones/pixel-probe.csv",
  ],
});

/**
 * A data folder flag's value checked before any work: a folder the user named must exist (else an InputError naming
 * the flag); a default that is absent (a clone without ../shared) is skipped with one note, as `none`.
 */
async function inputFolder(flag: "real" | "data", given: string | undefined, fallback: string): Promise<string> {
  const dir = given ?? fallback;
  if (dir === "none") return dir;
  const found = await Deno.stat(resolve(PROJECT_ROOT, dir)).then((st) => st.isDirectory, () => false);
  if (found) return dir;
  if (given !== undefined) {
    throw new InputError(
      `zeroshot: --${flag} ${given}: no such folder${flag === "real" ? " (--real none skips it)" : ""}`,
    );
  }
  console.error(`zero-shot: skipping ${dir} (not found; the default --${flag})`);
  return "none";
}

/** A comma-separated flag value as its non-empty, trimmed items. */
const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

/** Runs `deno task zeroshot` with `args`: prints each checkpoint's zero-shot AUROC per data set. */
export async function main(args: string[]): Promise<void> {
  const { values: v } = parseCommand(COMMAND, args);
  const models = list(v.models ?? String(COMMAND.flags.models.default)).map((m) => resolve(PROJECT_ROOT, m));
  const scores = v.from === undefined && v["pixel-probe"] === undefined;
  if (scores && models.length === 0) throw new InputError(`zeroshot: --models "${v.models}" names no checkpoint`);
  const realDir = await inputFolder("real", v.real, String(COMMAND.flags.real.default));
  const datasets: string[] = [];
  for (const d of list(v.data ?? String(COMMAND.flags.data.default))) {
    const dir = await inputFolder("data", v.data === undefined ? undefined : d, d);
    if (dir !== "none") datasets.push(resolve(PROJECT_ROOT, dir));
  }
  if (v.out !== undefined) {
    const inputs: NamedInput[] = v.from !== undefined
      ? list(v.from).map((f) => ({ path: resolve(f), what: "a --from table" }))
      : (await Promise.all(models.map((m) => modelFiles(m)))).flat();
    await ensureOutFile(v.out, "--out", inputs);
  }
  const chart = v.chart === undefined ? null : resolve(v.chart.replace(/\.(png|svg)$/, ""));
  if (chart) await ensureOutFile(`${chart}.png`, "--chart");
  if (v.probe !== undefined && v["pixel-probe"] !== undefined) {
    throw new InputError("zeroshot: give --probe FILE or --pixel-probe FILE, not both");
  }
  if (v["pixel-probe"] !== undefined && v.models !== undefined) {
    throw new InputError("zeroshot: --pixel-probe scores no checkpoint; leave out --models");
  }
  if (v.probe !== undefined || v["pixel-probe"] !== undefined) return await probe(v, models, realDir, datasets);
  if (v.from !== undefined) {
    if (!chart && v.judge === undefined) {
      throw new InputError("zeroshot: --from only draws a chart or judges; give --chart FILE or --judge RECIPE");
    }
    const rows = await readZeroShotTables(list(v.from).map((f) => resolve(f)));
    if (v.judge !== undefined) await judge(rows, v.judge, v.candidates, v.out);
    if (chart) await drawChart(rows, chart);
    return;
  }
  await initBackend(requestedBackend(v.backend), { quiet: true });
  const rows = await zeroShotBackbones(models, {
    real: realDir,
    benchmark: !v["no-benchmark"],
    lesionProbe: !v["no-lesion-probe"],
    frameSwapProbe: !v["no-frame-probe"],
    datasets,
    onResult: (model, r) => console.log(zeroShotLine(model, r)),
  });
  if (v.out !== undefined) {
    await writeCsvAtomic(resolve(v.out), toTidy(rows));
    console.error(`wrote ${v.out}`);
  }
  if (chart) await drawChart(rows, chart);
  if (v.judge !== undefined) await judge(rows, v.judge, v.candidates);
}

/**
 * `--judge RECIPE`: prints each candidate's verdict by the choosing rule ({@link judgeCandidates}); with `out`, also
 * writes them as a tidy CSV (one row per candidate × choosing set).
 */
async function judge(
  rows: readonly Record<string, unknown>[],
  recipe: string,
  candidates: string | undefined,
  out?: string,
): Promise<void> {
  const verdicts = judgeCandidates(
    zeroShotPoints(rows),
    recipe,
    candidates === undefined ? undefined : list(candidates),
  );
  const table = verdictTable(verdicts);
  for (const row of table.length > 0 ? [Object.keys(table[0]), ...table.map(Object.values)] : []) {
    console.log(row.join("\t"));
  }
  if (out !== undefined) {
    await writeCsvAtomic(resolve(out), toTidy(verdictRows(verdicts)));
    console.error(`wrote ${out}`);
  }
}

/**
 * `--probe FILE`: fits and scores the image-feature probes (or, with `--from`, redraws their chart); `--pixel-probe
 * FILE`: the same for the raw-pixel baselines, which need no checkpoint.
 */
async function probe(
  v: ReturnType<typeof parseCommand<typeof COMMAND.flags>>["values"],
  models: string[],
  realDir: string,
  datasets: string[],
): Promise<void> {
  const flag = v.probe !== undefined ? "--probe" : "--pixel-probe";
  const base = resolve((v.probe ?? v["pixel-probe"])!.replace(/\.(csv|png|svg)$/, ""));
  if (v.out !== undefined || v.chart !== undefined) {
    throw new InputError(`zeroshot: ${flag} FILE writes FILE.csv and its chart; leave out --out and --chart`);
  }
  let rows: Record<string, unknown>[];
  if (v.from !== undefined) {
    rows = await readZeroShotTables(list(v.from).map((f) => resolve(f)));
    if (rows.some((r) => r.probe === undefined)) {
      throw new InputError(`zeroshot: --from ${v.from} holds rows without a probe column (not a --probe table)`);
    }
  } else {
    await ensureOutFile(`${base}.csv`, flag);
    const limit = v["probe-limit"] === undefined
      ? undefined
      : numberFlag("probe-limit", v["probe-limit"], 0, { integer: true, min: 2 });
    const sets = { real: realDir, benchmark: !v["no-benchmark"], datasets, limit };
    if (flag === "--pixel-probe") {
      rows = await pixelProbe({ ...sets, onResult: (name, r) => console.log(zeroShotLine(name, r)) });
    } else {
      await initBackend(requestedBackend(v.backend), { quiet: true });
      rows = await imageProbeBackbones(models, {
        ...sets,
        onResult: (model, name, r) => console.log(zeroShotLine(`${model} · ${name}`, r)),
      });
    }
    await writeCsvAtomic(`${base}.csv`, toTidy(rows));
    console.error(`wrote ${base}.csv`);
  }
  await Deno.mkdir(dirname(base), { recursive: true });
  const saved = await saveChart(dirname(base), basename(base), imageProbeChart(rows));
  console.error(`wrote ${saved.pngPath} and ${basename(saved.svgPath)}`);
}

/** Writes the backbone chart of tidy zero-shot rows as `<chart>.svg` and `<chart>.png`. */
async function drawChart(rows: readonly Record<string, unknown>[], chart: string): Promise<void> {
  if (rows.length === 0) throw new InputError("zeroshot: no zero-shot rows to draw");
  await Deno.mkdir(dirname(chart), { recursive: true });
  const saved = await saveChart(dirname(chart), basename(chart), backboneChart(rows));
  console.error(`wrote ${saved.pngPath} and ${basename(saved.svgPath)}`);
}

if (import.meta.main) runMain(() => main(Deno.args));
