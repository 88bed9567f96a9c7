/**
 * `deno task ablate`: the default ablation grid (experiments/default.ts), or another committed grid (`--grid`,
 * experiments/mod.ts), on the embedded benchmark, or on `--data` / `--model`. Resumable (finished runs are skipped,
 * and the summary says how many were reused) and shardable (`--shard i/n`, then `deno task merge`). `--help` lists
 * every flag with its default.
 * @module
 */
import { ABLATE_GRIDS, DEFAULT_SWEEP } from "../experiments/mod.ts";
import { executeSweep, PAPER_METHOD, runsLine, type SweepConfig } from "../lib/experiments/mod.ts";
import { choiceFlag, defineCommand, formatDuration, parseCommand, runMain } from "../lib/util/mod.ts";
import { SWEEP_FLAGS, sweepSettings } from "./sweep_flags.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "ablate",
  summary: "runs the default ablation grid (text vs image prompts, region count, synthesis, scoring, position-word " +
    "sides) and writes " +
    "tables, per-image scores, learned prompts and charts. Finished runs in --out are reused, not recomputed.",
  flags: {
    ...SWEEP_FLAGS,
    out: { ...SWEEP_FLAGS.out, default: "results/ablate (results/<grid> for another --grid)" },
    seeds: { ...SWEEP_FLAGS.seeds, default: DEFAULT_SWEEP.seeds },
    grid: {
      type: "string",
      arg: "NAME",
      description: `which committed grid (${Object.keys(ABLATE_GRIDS).join(", ")}; experiments/)`,
      default: "default",
    },
  },
  examples: [
    "deno task ablate",
    "deno task ablate --variants coop,ppad --test-limit 64 --steps 20 --out results/quick",
    "deno task ablate --grid learning-rate   # → results/learning-rate",
  ],
});

/**
 * The results folder of a grid without `--out`, relative to the project root: `results/ablate` for the default grid,
 * `results/<name>` for another, so that another grid never rewrites the default sweep's tables.
 */
export function defaultOut(grid: SweepConfig): string {
  return grid === DEFAULT_SWEEP ? "results/ablate" : `results/${grid.name}`;
}

/** Runs `deno task ablate` with `args`; prints one line per run, then the runs line (or one JSON object). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const grid = ABLATE_GRIDS[choiceFlag("grid", values.grid, Object.keys(ABLATE_GRIDS), "default")];
  const settings = sweepSettings(grid, values, defaultOut(grid));
  const outcome = await executeSweep(settings, "ablate");
  const lines = outcome.records
    .sort((a, b) => a.spec.variant.localeCompare(b.spec.variant))
    .map((r) =>
      `${r.spec.variant.padEnd(12)} ${r.spec.regions.padEnd(8)} ${r.spec.synthesis.padEnd(5)} ${
        r.spec.scoring.padEnd(6)
      } ${(r.spec.sides ?? "image").padEnd(8)}` +
      (r.spec.shots > 0 && r.spec.lr !== PAPER_METHOD.lr ? `lr ${r.spec.lr}  ` : "") +
      `seed ${r.spec.seed}  AUROC ${(r.metrics.auroc * 100).toFixed(1)}  AP ${(r.metrics.ap * 100).toFixed(1)}  ` +
      `F1 ${(r.metrics.f1 * 100).toFixed(1)}`
    );
  if (values.json) {
    console.log(JSON.stringify({
      out: settings.out,
      seconds: outcome.seconds,
      reused: outcome.reused,
      computed: outcome.computed,
      runs: outcome.records.map((r) => ({ id: r.id, ...r.spec, metrics: r.metrics })),
    }));
  } else {
    console.log(lines.join("\n"));
    console.log(`\n${runsLine(outcome, settings.out)} in ${formatDuration(outcome.seconds)} → ${settings.out}`);
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
