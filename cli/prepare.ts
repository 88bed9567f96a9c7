/**
 * `deno task prepare --data DIR [--layout L] [--dataset D] [--resolution 224] [--out FILE] [--on-bad-image fail|skip]
 * [--force] [--json]`
 *
 * Lists a data set (layout auto-detected unless `--layout`), decodes and resizes every image once (Pillow bicubic) and
 * stores them in one cache file (default `<root>/.ppad-cache-<resolution>.bin`). An up-to-date cache is kept unless
 * `--force`. Prints the split counts and the cache path on stdout (one JSON object with `--json`); progress, count
 * warnings and skipped files go to stderr.
 * @module
 */
import {
  buildCache,
  cacheStaleReason,
  type Counts,
  type DatasetName,
  defaultCachePath,
  loadDatasetSync,
  parseBadImagePolicy,
  readCache,
} from "../lib/data/mod.ts";
import {
  choiceFlag,
  defineCommand,
  ensureOutFile,
  InputError,
  numberFlag,
  parseCommand,
  runMain,
} from "../lib/util/mod.ts";

const DATASETS: readonly DatasetName[] = ["zhanglab", "chexpert", "vindr", "rsna", "rsna-bmad", "custom"];

function countsTable(c: Counts): string {
  const rows = (["train", "val", "test"] as const).map((s) =>
    `${s.padEnd(6)} ${String(c[s].normal).padStart(7)} ${String(c[s].abnormal).padStart(9)}`
  );
  return ["split   normal  abnormal", ...rows].join("\n");
}

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "prepare",
  summary: "decodes and resizes every image of a data set once (Pillow bicubic) into one cache file that sweeps " +
    "reuse. An up-to-date cache is kept unless --force.",
  flags: {
    data: { type: "string", arg: "DIR", description: "data set root", required: true },
    layout: { type: "string", arg: "L", description: "data set layout", default: "auto-detected" },
    dataset: { type: "string", arg: DATASETS.join("|"), description: "data set name", default: "from the layout" },
    resolution: { type: "string", arg: "N", description: "image side in pixels (1…4096)", default: 224 },
    out: { type: "string", arg: "FILE", description: "cache file", default: "<root>/.ppad-cache-<resolution>.bin" },
    "on-bad-image": { type: "string", arg: "fail|skip", description: "unreadable image handling", default: "fail" },
    force: { type: "boolean", description: "rebuild even when the cache is up to date" },
    json: { type: "boolean", description: "print one JSON object on stdout" },
  },
  examples: ["deno task prepare --data ~/data/zhanglab", "deno task prepare --data DIR --resolution 448 --json"],
});

/** Runs `deno task prepare` with `args`: builds (or finds up to date) a data set's cache and prints its counts. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  if (typeof values.data !== "string") throw new InputError("Cannot prepare: --data DIR is required");
  const dataset = choiceFlag("dataset", values.dataset, DATASETS);
  const resolution = numberFlag("resolution", values.resolution, 224, { min: 1, max: 4096, integer: true });
  const onBadImage = parseBadImagePolicy(values["on-bad-image"] ?? "fail");
  if (values.out !== undefined) await ensureOutFile(values.out, "--out");
  const ds = loadDatasetSync(values.data, {
    layout: values.layout,
    dataset,
  });
  const path = values.out ?? defaultCachePath(ds, resolution);

  let status = "built";
  let header;
  const t0 = performance.now();
  if (!values.force) {
    try {
      const cache = await readCache(path);
      const stale = cacheStaleReason(cache.header, ds, resolution);
      if (stale === null) {
        status = "up to date";
        header = cache.header;
      } else console.error(`prepare: rebuilding ${path} (stale: ${stale})`);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      if (!err.message.endsWith("no such file")) console.error(`prepare: rebuilding (${err.message})`);
    }
  }
  if (!header) header = (await buildCache(ds, { resolution, onBadImage, path })).header;
  const seconds = (performance.now() - t0) / 1000;
  for (const s of header.skipped) console.error(`skipped: ${s.reason}`);
  if (onBadImage === "fail" && header.skipped.length > 0) throw new InputError(header.skipped[0].reason);

  const counts = ds.counts();
  for (const s of header.skipped) {
    const sample = ds.samples.find((x) => x.id === s.id);
    if (sample) counts[sample.split][sample.label === 0 ? "normal" : "abnormal"]--;
  }
  const bytes = (await Deno.stat(path)).size;
  if (values.json) {
    console.log(JSON.stringify({
      dataset: ds.name,
      layout: ds.layout,
      root: ds.root,
      cache: path,
      status,
      resolution,
      depth: header.depth,
      images: header.entries.length,
      skipped: header.skipped.map((s) => ({ path: s.path, reason: s.reason })),
      counts,
      bytes,
      seconds: Number(seconds.toFixed(3)),
    }));
    return;
  }
  console.log(`dataset ${ds.name} (${ds.layout}) at ${ds.root}`);
  console.log(countsTable(counts));
  console.log(
    `cache ${path}: ${header.entries.length} images, ${resolution}×${resolution}, ${header.depth}-bit, ` +
      `${(bytes / 1e6).toFixed(1)} MB (${status}${status === "built" ? ` in ${seconds.toFixed(1)} s` : ""})`,
  );
  if (header.skipped.length > 0) console.log(`skipped ${header.skipped.length} unreadable image(s) (listed on stderr)`);
}

if (import.meta.main) runMain(() => main(Deno.args));
