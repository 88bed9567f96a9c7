/**
 * Merging sharded sweep results. Shards written by `--shard i/n` carry a manifest (`shard.json`, see `shards.ts`): the
 * merge refuses, naming them, when shards of the sweep are missing or unfinished, unless a partial merge is asked for.
 * Every source is read and checked before anything is written: a bad record or file is a one-line `InputError` naming
 * it, and the merged folder is left as it was.
 * @module
 */
import { InputError, isAbsolute, join, relative, writeFileAtomic } from "../util/mod.ts";
import { readSafetensors } from "../encoders/mod.ts";
import { parseScoresCsv } from "../metrics/mod.ts";
import { readPromptCard } from "../prompts/mod.ts";
import { promptsStem, readRunRecords, type RunRecord, validateRunRecord, writeTables } from "./store.ts";
import { describeIncomplete, incompleteShards, shardStatus } from "./shards.ts";

/** What the merge expects a source argument to be, for messages. */
const SHARD_FOLDER = "each SHARD_DIR must be a shard's results folder (with runs/ and shard.json)";

/**
 * Refuses merge sources that are not folders: a file (e.g. `merge --out O results.csv`) is a one-line `InputError`
 * naming it. A folder that does not exist passes here: it is a missing shard (named by the shard check) or, for plain
 * results folders, an error of {@link mergeSweepResults}.
 */
export async function checkSourceFolders(sourceDirs: readonly string[]): Promise<void> {
  for (const dir of sourceDirs) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(dir);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      if (err instanceof Deno.errors.NotADirectory) {
        throw new InputError(`Cannot merge ${dir}: not a folder; ${SHARD_FOLDER}`);
      }
      throw new InputError(`Cannot merge ${dir}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (!info.isDirectory) throw new InputError(`Cannot merge ${dir}: it is a file, not a folder; ${SHARD_FOLDER}`);
  }
}

/** One file the merge will write: its checked contents, read from `from`. */
interface PlannedFile {
  from: string;
  to: string;
  bytes: Uint8Array;
}

/** The files of a merge, planned (read and checked) before any is written. */
class MergePlan {
  /** By destination: files other than run records (written first). */
  readonly files = new Map<string, PlannedFile>();
  /** By destination: run records (written last: a record marks its run complete). */
  readonly records = new Map<string, PlannedFile>();
  constructor(readonly outDir: string) {}

  /** Refuses a path outside `root` (ids are checked when read; this is the last line of defence). */
  static inside(root: string, path: string, what: string): void {
    const rel = relative(root, path);
    if (rel === "" || isAbsolute(rel) || rel.split(/[\\/]/)[0] === "..") {
      throw new InputError(`Cannot merge: ${what} ${path} lies outside ${root}`);
    }
  }

  /**
   * Plans copying `relativePath` from `sourceDir` into the merged folder unless it is there already (or planned).
   * Returns false when the source lacks it (`required`: an `InputError` naming the shard and the file instead);
   * `check` validates the bytes first.
   */
  async add(
    sourceDir: string,
    relativePath: readonly string[],
    options: {
      required: string | null;
      record?: boolean;
      check?: (bytes: Uint8Array, from: string) => Promise<void> | void;
    },
  ): Promise<boolean> {
    const from = join(sourceDir, ...relativePath), to = join(this.outDir, ...relativePath);
    MergePlan.inside(sourceDir, from, "source file");
    MergePlan.inside(this.outDir, to, "destination");
    const into = options.record ? this.records : this.files;
    if (into.has(to) || await exists(to)) return true;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(from);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        if (options.required === null) return false;
        throw new InputError(`Cannot merge ${sourceDir}: ${from} is missing (${options.required})`);
      }
      throw new InputError(`Cannot read ${from}: ${(err as Error).message.split("\n")[0]}`);
    }
    await options.check?.(bytes, from);
    into.set(to, { from, to, bytes });
    return true;
  }

  /** Writes every planned file (each atomically), the run records last. */
  async write(): Promise<void> {
    for (const f of [...this.files.values(), ...this.records.values()]) await writeFileAtomic(f.to, f.bytes);
  }
}

/** True when `path` exists (anything there); a path that cannot be looked at is an `InputError` naming it. */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new InputError(`Cannot read ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * Checks a `trained/<trainingId>.json` the way its readers use it: JSON with one id, label and row of per-region
 * probabilities per test image, as many as the run record's `nTest`.
 */
function checkTrained(bytes: Uint8Array, from: string, record: RunRecord, recordPath: string): void {
  const fail = (what: string): never => {
    throw new InputError(`Cannot read ${from}: ${what}`);
  };
  let v: unknown;
  try {
    v = JSON.parse(text(bytes));
  } catch (err) {
    return fail(`invalid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("expected a JSON object");
  const t = v as Record<string, unknown>;
  if (t.trainingId !== record.trainingId) {
    fail(`trainingId is ${JSON.stringify(t.trainingId)}, expected "${record.trainingId}"`);
  }
  const { regionNames, ids, labels, probs } = t;
  if (!Array.isArray(regionNames) || !Array.isArray(ids) || !Array.isArray(labels) || !Array.isArray(probs)) {
    return fail("regionNames, ids, labels or probs is missing or not a list");
  }
  if (ids.length !== labels.length || probs.length !== labels.length) {
    fail(`${ids.length} ids, ${labels.length} labels and ${probs.length} probability rows (expected equal counts)`);
  }
  if (labels.length !== record.nTest) {
    fail(`${labels.length} test images, but ${recordPath} says nTest ${record.nTest}`);
  }
  if (!probs.every((row) => Array.isArray(row) && row.length === regionNames.length)) {
    fail(`a probability row does not have one value per region (${regionNames.length})`);
  }
}

/** Checks a `scores/<id>.csv` with the scores reader (`deno task metrics`): a valid table with `nTest` rows. */
function checkScores(bytes: Uint8Array, from: string, record: RunRecord, recordPath: string): void {
  const rows = parseScoresCsv(text(bytes), from).ids.length;
  if (rows !== record.nTest) {
    throw new InputError(
      `Cannot read ${from}: ${rows} rows, but ${recordPath} says nTest ${record.nTest} (truncated?)`,
    );
  }
}

/** Plans the files of one finished run of `sourceDir`: trained probabilities, prompts, scores, then the record. */
async function planRun(plan: MergePlan, sourceDir: string, record: RunRecord): Promise<void> {
  const { id, trainingId } = record;
  const recordPath = join(sourceDir, "runs", `${id}.json`);
  const needs = (what: string) => `run ${id} needs its ${what}`;
  await plan.add(sourceDir, ["trained", `${trainingId}.json`], {
    required: needs("trained probabilities"),
    check: (bytes, from) => checkTrained(bytes, from, record, recordPath),
  });
  // Prompts: none for a variant that learns nothing. Hash-only names (`<trainingId>`, older results) may lack a card;
  // readable ones (variant_regions_synthesis_seedN_<id>) come with theirs.
  for (const stem of [trainingId, promptsStem(record.spec, trainingId)]) {
    const readable = stem !== trainingId;
    const tensors = `${stem}.safetensors`, card = `${stem}.json`;
    const hasTensors = await plan.add(sourceDir, ["prompts", tensors], {
      required: null,
      check: async (bytes, from) => void await readSafetensors(bytes, from),
    });
    const hasCard = await plan.add(sourceDir, ["prompts", card], {
      required: readable && hasTensors ? `the card of prompts/${tensors}` : null,
      check: async (_bytes, from) => void await readPromptCard(from.replace(/\.json$/, ".safetensors")),
    });
    if (readable && hasCard && !hasTensors) {
      throw new InputError(
        `Cannot merge ${sourceDir}: ${join(sourceDir, "prompts", tensors)} is missing (the prompts of card ${card})`,
      );
    }
  }
  await plan.add(sourceDir, ["scores", `${id}.csv`], {
    required: needs("per-image scores"),
    check: (bytes, from) => checkScores(bytes, from, record, recordPath),
  });
  await plan.add(sourceDir, ["runs", `${id}.json`], {
    required: "it vanished during the merge",
    record: true,
    check: (bytes, from) => {
      let value: unknown;
      try {
        value = JSON.parse(text(bytes));
      } catch (err) {
        throw new InputError(`Cannot read run record ${from}: invalid JSON (${(err as Error).message.split("\n")[0]})`);
      }
      if (validateRunRecord(value, from).id !== id) {
        throw new InputError(`Cannot read run record ${from}: its id changed during the merge`);
      }
    },
  });
}

/** Options for {@link mergeSweepResults}. */
export interface MergeOptions {
  /** Merge what is there even when shards are missing or unfinished (`onPartial` hears what is missing). */
  allowPartial?: boolean;
  /** Called with the one-line description of the missing shards when a partial merge goes ahead. */
  onPartial?: (what: string) => void;
}

/**
 * Copies every finished run of the result folders `sourceDirs` (a sweep's shards, or any sweep folders) into `outDir`
 * and rebuilds its tables; returns the number of runs in `outDir`.
 * When the sources are shards (they hold `shard.json`), every shard 0…n−1 must be there and finished: otherwise an
 * `InputError` names the missing ones (or, with `allowPartial`, `onPartial` does and the rest is merged).
 * Every run record is validated (ids must be single file names) and every file a run needs (trained probabilities,
 * scores; prompts when present) is read and checked before anything is written: a source that is not a folder, a
 * malformed record, or a missing or corrupt file is an `InputError` naming it, and `outDir` is left as it was.
 */
export async function mergeSweepResults(
  sourceDirs: readonly string[],
  outDir: string,
  options: MergeOptions = {},
): Promise<number> {
  await checkSourceFolders(sourceDirs);
  const status = await shardStatus(sourceDirs);
  const incomplete = describeIncomplete(status);
  if (incomplete && !options.allowPartial) {
    throw new InputError(
      `Cannot merge the sweep into ${outDir}: ${incomplete}; resubmit them (deno task submit … --only-shards ` +
        `${incompleteShards(status).join(",")}) or merge what is there with --allow-partial`,
    );
  }
  if (incomplete) options.onPartial?.(incomplete);
  const plan = new MergePlan(outDir);
  for (const [index, sourceDir] of sourceDirs.entries()) {
    if (status.count !== null && status.unknown.includes(sourceDir)) continue; // a shard that never started
    const records = await readRunRecords(sourceDir);
    // A shard may own no run (more shards than runs); a folder that is not a shard must hold some.
    if (records.length === 0 && !status.folders[index].manifest) {
      if (!(await exists(sourceDir))) {
        throw new InputError(`Cannot merge ${sourceDir}: no such folder; ${SHARD_FOLDER}`);
      }
      throw new InputError(`Cannot merge ${sourceDir}: no finished runs in ${join(sourceDir, "runs")}`);
    }
    for (const record of records) await planRun(plan, sourceDir, record);
  }
  await plan.write();
  const merged = await readRunRecords(outDir);
  await writeTables(outDir, merged);
  return merged.length;
}
