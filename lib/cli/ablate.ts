/**
 * `deno task ablate`: the default ablation grid (experiments/default.ts) on the embedded benchmark, or on `--data` /
 * `--model`. Resumable (finished runs are skipped) and shardable (`--shard i/n`, then `deno task merge`).
 *
 * Usage: deno task ablate [--seeds N] [--shots K] [--steps S] [--n-ctx 16] [--variants a,b] [--test-limit N] [--model M]
 *        [--data DIR] [--out results/ablate] [--shard i/n] [--backend wasm|webgpu|cpu|tensorflow] [--json]
 * @module
 */
import { DEFAULT_SWEEP } from "../../experiments/default.ts";
import { executeSweep, SWEEP_FLAGS, sweepSettings } from "../experiments/cli_common.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { runMain } from "../util/errors.ts";
import { formatDuration } from "../util/progress.ts";

await runMain(async () => {
  const { values } = parseCli("ablate", Deno.args, SWEEP_FLAGS);
  const settings = sweepSettings(
    DEFAULT_SWEEP,
    values,
    "results/ablate",
    (name, value, fallback) => numberFlag(name, value as string, fallback, { integer: true, min: 0 }),
  );
  const outcome = await executeSweep(settings);
  const lines = outcome.records
    .sort((a, b) => a.spec.variant.localeCompare(b.spec.variant))
    .map((r) =>
      `${r.spec.variant.padEnd(12)} ${r.spec.regions.padEnd(8)} ${r.spec.synthesis.padEnd(5)} ${
        r.spec.scoring.padEnd(6)
      } ` +
      `seed ${r.spec.seed}  AUROC ${(r.metrics.auroc * 100).toFixed(1)}  AP ${(r.metrics.ap * 100).toFixed(1)}  ` +
      `F1 ${(r.metrics.f1 * 100).toFixed(1)}`
    );
  if (values.json) {
    console.log(JSON.stringify({
      out: settings.out,
      seconds: outcome.seconds,
      runs: outcome.records.map((r) => ({ id: r.id, ...r.spec, metrics: r.metrics })),
    }));
  } else {
    console.log(lines.join("\n"));
    console.log(`\n${outcome.records.length} runs in ${formatDuration(outcome.seconds)} → ${settings.out}`);
  }
});
