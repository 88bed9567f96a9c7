/**
 * A results folder is shared by every sweep run into it, so a sweep must score the test set the folder's runs were
 * scored on: {@link refuseOtherTestSet} compares what the flags (then the loaded data) say with the folder's run records
 * and `test-set.json`, {@link refuseOtherTestImages} the ordered test images each training scored. Both throw an
 * `InputError` naming the folder and what differs, before any run.
 * @module
 */
import type { SkippedImage } from "../data/mod.ts";
import { InputError, join, PROJECT_ROOT, relative } from "../util/mod.ts";
import { runContext } from "./config.ts";
import type { ExperimentData } from "./data.ts";
import { paths, readJsonOrNull, readRunRecords, type RunRecord, type TrainedRecord } from "./store.ts";

/** The sweep flags that name its test set. */
export interface SweepTestSetFlags {
  /** `--data`, as given (absent: the synthetic benchmark). */
  data?: string;
  /** `--dataset`, as given. */
  dataset?: string;
  /** `--test-limit`, or null for the whole test split. */
  testLimit: number | null;
}

/** What `test-set.json` records: the test images scored against those asked for. */
export interface TestSetReport {
  /** `--test-limit`, or null for the whole test split. */
  requested: number | null;
  scored: number;
  skipped: SkippedImage[];
  replaced: number;
  shortfall: number;
}

/** The runs a results folder holds and its `test-set.json` (null when absent), read before a sweep adds to it. */
export interface FolderTestSet {
  runs: RunRecord[];
  report: TestSetReport | null;
}

/** The runs `out` holds (every record validated) and its `test-set.json`, read before a sweep adds to them. */
export async function readFolderTestSet(out: string): Promise<FolderTestSet> {
  return { runs: await readRunRecords(out), report: await readJsonOrNull<TestSetReport>(join(out, "test-set.json")) };
}

/** What identifies the test set of a run (each field as its records store it); a field left out is not known yet. */
export interface TestSetKey {
  /** The data root relative to the project root (`RunSpec.data`). */
  data?: string;
  dataset?: string;
  testLimit?: number | null;
  /** Test images scored (`RunRecord.nTest`). */
  scored?: number;
}

/**
 * The test set a sweep scores, as its runs will record it: from the flags alone (the data set's name only when
 * `--dataset` names it or the data is the benchmark's), or with the loaded `data` (also its name and scored images).
 */
export function sweepTestSet(s: SweepTestSetFlags, dataRoot: string, data?: ExperimentData): TestSetKey {
  const context = runContext({
    modelRelative: "",
    modelHash: "",
    dataFlag: s.data,
    dataRoot,
    dataRelative: relative(PROJECT_ROOT, dataRoot),
    dataset: s.dataset,
    detectedDataset: data?.dataset.name,
    backend: "",
    testLimit: s.testLimit,
  });
  const named = data !== undefined || s.dataset !== undefined || s.data === undefined;
  return {
    data: context.data,
    dataset: named ? context.dataset : undefined,
    testLimit: context.testLimit,
    scored: data?.test.labels.length,
  };
}

/** Each test-set field: how a value of it reads in a message. */
const TEST_SET_FIELDS: Record<keyof TestSetKey, (value: unknown) => string> = {
  data: (v) => `data ${v}`,
  dataset: (v) => `data set ${v}`,
  testLimit: (v) => `--test-limit ${v ?? "all"}`,
  scored: (v) => `${v} test images scored`,
};

/**
 * Throws an `InputError` naming `out` and what differs when the test set `sweep` scores is not the one the folder's
 * runs (and its `test-set.json`) record, e.g. `Cannot sweep into results/ablate: its 14 runs were scored on another
 * test set (the folder's: --test-limit all; this sweep's: --test-limit 16); pass --out with another folder …`.
 */
export function refuseOtherTestSet(out: string, folder: FolderTestSet, sweep: TestSetKey): void {
  const recorded: TestSetKey[] = folder.runs.map((r) => ({
    data: r.spec.data,
    dataset: r.spec.dataset,
    testLimit: r.spec.testLimit,
    scored: r.nTest,
  }));
  if (folder.report) recorded.push({ testLimit: folder.report.requested, scored: folder.report.scored });
  const theirs: string[] = [], ours: string[] = [];
  for (const field of Object.keys(TEST_SET_FIELDS) as (keyof TestSetKey)[]) {
    const show = TEST_SET_FIELDS[field];
    const value = sweep[field];
    if (value === undefined) continue;
    const other = [...new Set(recorded.map((k) => k[field]))].filter((v) => v !== undefined && v !== value);
    if (other.length === 0) continue;
    theirs.push(other.map(show).join(" and "));
    ours.push(show(value));
  }
  if (theirs.length === 0) return;
  throw otherTestSetError(out, folder, `(the folder's: ${theirs.join(", ")}; this sweep's: ${ours.join(", ")})`);
}

/**
 * Throws like {@link refuseOtherTestSet} when a run of the folder was scored on other test images, or in another
 * order, than `data`'s (same data, limit and count: e.g. another test-set seed, or images changed on disk).
 */
export async function refuseOtherTestImages(out: string, folder: FolderTestSet, data: ExperimentData): Promise<void> {
  const ids = data.test.samples.map((x) => x.id), labels = data.test.labels;
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  const seen = new Set<string>();
  for (const r of folder.runs) {
    if (seen.has(r.trainingId)) continue;
    seen.add(r.trainingId);
    const trained = await readJsonOrNull<TrainedRecord>(paths.trained(out, r.trainingId));
    if (!trained || (same(trained.ids, ids) && same(trained.labels, labels))) continue;
    throw otherTestSetError(
      out,
      folder,
      `(run ${r.id} scored other test images than this sweep's, or in another order: e.g. another test-set seed)`,
    );
  }
}

function otherTestSetError(out: string, folder: FolderTestSet, what: string): InputError {
  const n = folder.runs.length;
  const whose = n ? `its ${n} run${n > 1 ? "s were" : " was"}` : "its test-set.json says it was";
  return new InputError(
    `Cannot sweep into ${out}: ${whose} scored on another test set ${what}; pass --out with another folder, ` +
      "so that no table or chart mixes runs scored on different test images",
  );
}
