/**
 * Run records are validated where they are read (`readRunRecords`, `readRunRecord`): a record that parses as JSON but
 * lacks a field or has one of the wrong type is a one-line `InputError` naming the file and the field; ids that are
 * not single safe file names (they name the run's files) are refused; records written by the runner, including ones
 * with NaN metrics (stored as null) and older ones without the later optional fields, still read.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { readCsvTable } from "../lib/report/mod.ts";
import {
  paths,
  readRunRecord,
  readRunRecords,
  unsafeFileNameReason,
  validateRunRecord,
  writeJson,
  writeTables,
} from "../lib/experiments/store.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { runRecord } from "./run_records.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-run-record-store-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A record as plain JSON, with `change` applied (a field set to undefined is left out). */
function recordJson(id: string, change: Record<string, unknown> = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...runRecord(id, {}), ...change }));
}

Deno.test("unsafeFileNameReason: ids must be one safe path component", () => {
  for (const ok of ["3f2a9c1b7d0e", "t-a", "a.b", "x_y"]) assertEquals(unsafeFileNameReason(ok), null, ok);
  for (const bad of ["", ".", "..", "../x", "a/b", "a\\b", "a\0b", "a..b", "/abs"]) {
    assert(unsafeFileNameReason(bad) !== null, JSON.stringify(bad));
  }
});

Deno.test("readRunRecords: a record without spec, or with metrics not an object, names the file and the field", () =>
  withTemp(async (dir) => {
    const file = paths.run(dir, "a");
    const cases: [Record<string, unknown>, string][] = [
      [{ spec: undefined }, "spec is missing"],
      [{ metrics: "x" }, 'metrics must be an object of numbers, got "x"'],
      [{ metrics: { auroc: "high" } }, "metrics must be an object of numbers"],
      [{ spec: { ...runRecord("a", {}).spec, variant: 3 } }, "spec.variant must be a string, got 3"],
      [{ spec: { ...runRecord("a", {}).spec, seed: undefined } }, "spec.seed is missing"],
      [{ questions: "prompts" }, "questions must be a list of strings"],
      [{ nTest: -1 }, "nTest must be an integer ≥ 0, got -1"],
      [{ losses: [0.5, "x"] }, "losses must be a list of numbers"],
      [{ diagnostics: [] }, "diagnostics must be an object of numbers"],
      [{ finishedAt: undefined }, "finishedAt is missing"],
      [{ trainingId: undefined }, "trainingId is missing"],
      [{ trainingId: "../../../pwned-tid" }, 'trainingId "../../../pwned-tid" contains a path separator'],
      [{ trainingId: "" }, 'trainingId "" is empty'],
      [{ trainingId: ".." }, 'trainingId ".." contains "." or ".."'],
      [{ trainingId: "a\\b" }, "trainingId"],
      [{ trainingId: "a\0b" }, "contains a NUL character"],
      [{ id: "b" }, 'id "b" does not match the file name a.json'],
    ];
    for (const [change, expected] of cases) {
      await writeJson(file, recordJson("a", change));
      const err = await assertRejects(() => readRunRecords(dir), InputError, expected);
      assert(err.message.startsWith(`Cannot read run record ${file}: `), err.message);
      assertEquals(err.message.split("\n").length, 1);
    }
    for (const text of ["null", "[]", '"x"', "3"]) {
      await Deno.writeTextFile(file, text);
      await assertRejects(
        () => readRunRecords(dir),
        InputError,
        `Cannot read run record ${file}: expected a JSON object`,
      );
    }
    await Deno.writeTextFile(file, '{"id": "a", "trai');
    await assertRejects(() => readRunRecords(dir), InputError, `Cannot read run record ${file}: invalid JSON`);
  }));

Deno.test("readRunRecords: an id with a path in it is refused even where the file name cannot hold it", () =>
  withTemp(async (dir) => {
    await writeJson(join(dir, "runs", "evil.json"), recordJson("evil", { id: "../evil" }));
    await assertRejects(() => readRunRecords(dir), InputError, 'id "../evil" contains a path separator');
  }));

Deno.test("readRunRecords: runner records read back, NaN metrics (null) and records without optional fields too", () =>
  withTemp(async (dir) => {
    const a = runRecord("a", {});
    const b = { ...runRecord("b", {}), metrics: { auroc: NaN, ap: 0.5 }, losses: [NaN], diagnostics: { x: 1 } };
    await writeJson(paths.run(dir, "a"), a);
    await writeJson(paths.run(dir, "b"), b);
    const old = recordJson("c", { nTrainNormal: undefined, diagnostics: undefined });
    delete (old.spec as Record<string, unknown>).sides;
    await writeJson(paths.run(dir, "c"), old);
    await Deno.writeTextFile(join(dir, "runs", "notes.txt"), "not a record");
    const records = await readRunRecords(dir);
    assertEquals(records.map((r) => r.id), ["a", "b", "c"]);
    assertEquals(records[0], a);
    assertEquals(records[1].metrics.auroc, null as unknown as number); // as JSON stores NaN
    assertEquals(await readRunRecord(paths.run(dir, "zzz")), null);
    assertEquals(await readRunRecords(join(dir, "nowhere")), []);
    // `runs` that is a file: one line naming it.
    await Deno.writeTextFile(join(dir, "plain-file"), "x");
    await assertRejects(() => readRunRecords(join(dir, "plain-file")), InputError, "is not a folder");
  }));

Deno.test("validateRunRecord: returns the value typed, or names the source and the field", () => {
  const ok = recordJson("a");
  assertEquals<unknown>(validateRunRecord(ok, "x.json"), ok);
  assertThrows(() => validateRunRecord({ ...ok, positives: 1.5 }, "x.json"), InputError, "x.json: positives");
});

Deno.test("writeTables: summary.csv never averages runs that differ in more than the seed (e.g. the learning rate)", () =>
  withTemp(async (dir) => {
    const records = [
      runRecord("a", { lr: 0.001 }, { seed: 0, auroc: 0.6 }),
      runRecord("b", { lr: 0.001 }, { seed: 1, auroc: 0.7 }),
      runRecord("c", { lr: 0.1 }, { seed: 0, auroc: 0.9 }),
    ];
    await writeTables(dir, records);
    const runs = (await Deno.readTextFile(join(dir, "runs.csv"))).split("\n");
    assert(runs[0].includes(",n_ctx,lr,momentum,class_words,"), runs[0]);
    const summary = (await readCsvTable(join(dir, "summary.csv"))).objects() as Record<string, unknown>[];
    const auroc = summary.filter((r) => r.metric === "auroc").map((r) => [r.lr, r.n, r.mean]);
    assertEquals(auroc.length, 2);
    assertEquals(auroc.find((r) => r[0] === 0.001)?.[1], 2);
    assertAlmostEquals(Number(auroc.find((r) => r[0] === 0.001)?.[2]), 0.65, 1e-12);
    assertEquals(auroc.find((r) => r[0] === 0.1)?.slice(1), [1, 0.9]);
  }));
