/**
 * Where a set of measured runs comes from: the results folder, the variants, data set, data, model and its hash, the
 * seeds, shots and steps of the trained runs, the test images, the backend and when the runs finished.
 * @module
 */
import type { RunRecord } from "./store.ts";

/** Where a set of measured runs comes from: the file, model, data, protocol and seeds. */
export interface Provenance {
  results: string;
  variants: string;
  dataset: string;
  data: string;
  model: string;
  model_hash: string;
  seeds: string;
  shots: string;
  steps: string;
  test_images: string;
  backend: string;
  finished: string;
}

/** The provenance of `records` read from `results` (a folder or file, as shown to the reader). */
export function runProvenance(records: readonly RunRecord[], results: string): Provenance {
  const uniq = (f: (r: RunRecord) => unknown, rs: readonly RunRecord[] = records) =>
    [...new Set(rs.map((r) => String(f(r))))].join(", ");
  const finished = records.map((r) => r.finishedAt).sort();
  // Seeds, shots and steps describe the trained runs; a zero-shot run (no shots, no steps, seed 0) is said apart, so
  // that the table never reads "seeds 0" or "shots 64, 0".
  const trained = records.filter((r) => r.spec.shots > 0 || r.spec.steps > 0);
  const zeroShot = records.length - trained.length;
  const aside = zeroShot > 0 ? (trained.length ? " (zero-shot runs: none)" : "none (zero-shot only)") : "";
  const seedList = [...new Set(trained.map((r) => r.spec.seed))].sort((a, b) => a - b);
  const seeds = trained.length
    ? `${seedList.length} seed${seedList.length > 1 ? "s" : ""} (${seedList.join(", ")})`
    : "none (zero-shot only)";
  const perTrained = (f: (r: RunRecord) => unknown) => trained.length ? `${uniq(f, trained)}${aside}` : aside;
  return {
    results,
    variants: uniq((r) => r.spec.variant),
    dataset: uniq((r) => r.spec.dataset),
    data: uniq((r) => r.spec.data),
    model: uniq((r) => r.spec.model),
    model_hash: uniq((r) => r.spec.modelHash),
    seeds,
    shots: perTrained((r) => r.spec.shots),
    steps: perTrained((r) => r.spec.steps),
    test_images: uniq((r) => r.nTest),
    backend: uniq((r) => r.spec.backend),
    finished: finished.length ? `${finished[0]} … ${finished[finished.length - 1]}` : "",
  };
}

/** The provenance as `field`/`value` rows, with `extra` rows after it (e.g. the compute spent). */
export function provenanceRows(
  provenance: Provenance,
  extra: readonly [string, string][] = [],
): { field: string; value: string }[] {
  return [...Object.entries(provenance), ...extra].map(([field, value]) => ({ field, value }));
}
