/**
 * `deno task merge` on bad input: ids read from shard records are never used to write outside `--out`; a record that
 * names a file its shard lacks, a truncated scores/trained/prompts file, a malformed record, or a shard argument that
 * is a file is a one-line `InputError` naming it (exit 2 from the CLI), and what `--out` held before is unchanged.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { checkSourceFolders, mergeSweepResults } from "../lib/experiments/merge.ts";
import {
  paths,
  promptsStem,
  type RunRecord,
  type TrainedRecord,
  writeJson,
  writeScores,
} from "../lib/experiments/store.ts";
import { writeSafetensors } from "../lib/encoders/mod.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { runRecord } from "./run_records.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-merge-bad-input-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The trained probabilities behind `rec` (its nTest images, its positives abnormal, two regions). */
function trainedOf(rec: RunRecord): TrainedRecord {
  const labels = [...Array(rec.nTest).keys()].map((i) => (i < rec.positives ? 1 : 0));
  return {
    trainingId: rec.trainingId,
    regionNames: ["whole", "left"],
    ids: labels.map((_, i) => `img${i}`),
    labels,
    probs: labels.map((l, i) => [0.2 + 0.5 * l + 0.001 * i, 0.4]),
    losses: [0.7],
    seconds: 1,
  };
}

/**
 * Writes the run `rec` into the results folder `dir` as the runner does (paths joined as given: ids are not checked
 * here), leaving out the files named in `skip`.
 */
async function writeRun(dir: string, rec: RunRecord, skip: ("trained" | "scores")[] = []): Promise<void> {
  const t = trainedOf(rec);
  if (!skip.includes("trained")) await writeJson(join(dir, "trained", `${rec.trainingId}.json`), t);
  if (!skip.includes("scores")) await writeScores(join(dir, "scores", `${rec.id}.csv`), t, t.probs.map((r) => r[0]));
  await writeJson(join(dir, "runs", `${rec.id}.json`), rec);
}

/** Every file under `dir` with its contents (empty when `dir` does not exist). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.set(p, await Deno.readTextFile(p));
    }
  };
  await walk(dir).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  return out;
}

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

/** Runs `cli/merge.ts` with `args`: exit code and stderr. */
async function mergeCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "cli", "merge.ts"), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("merge: a trainingId that climbs out of the shard is refused; nothing is written outside --out", () =>
  withTemp(async (dir) => {
    const shard = join(dir, "in", "x", "shard"), out = join(dir, "OUT", "a", "b");
    const evil = { ...runRecord("r0", {}), trainingId: "../../../pwned-tid" };
    await writeRun(shard, evil); // its trained file lands at dir/in/pwned-tid.json, where the record points
    assert(await exists(join(dir, "in", "pwned-tid.json")));
    const err = await assertRejects(() => mergeSweepResults([shard], out), InputError, "trainingId");
    assert(err.message.includes(join(shard, "runs", "r0.json")), err.message);
    assert(err.message.includes("single file name"), err.message);
    assert(!(await exists(join(dir, "OUT", "pwned-tid.json"))), "written outside --out");
    assertEquals((await snapshot(join(dir, "OUT"))).size, 0);
    // The command: exit 2, one line, nothing written outside --out.
    const cli = await mergeCli(["--out", out, shard]);
    assertEquals(cli.code, 2, cli.stderr);
    assertEquals(cli.stderr.trim().split("\n").length, 1, cli.stderr);
    assert(cli.stderr.startsWith("error: Cannot read run record "), cli.stderr);
    assert(!(await exists(join(dir, "OUT", "pwned-tid.json"))), "written outside --out by the command");
  }));

Deno.test("merge: a record whose scores or trained file its shard lacks names the shard and the file", () =>
  withTemp(async (dir) => {
    const good = join(dir, "good"), bad = join(dir, "bad"), out = join(dir, "out");
    await writeRun(good, runRecord("r1", {}));
    assertEquals(await mergeSweepResults([good], out), 1);
    const before = await snapshot(out);
    await writeRun(bad, runRecord("r0", {}), ["scores"]);
    const err = await assertRejects(
      () => mergeSweepResults([good, bad], out),
      InputError,
      `Cannot merge ${bad}: ${join(bad, "scores", "r0.csv")} is missing`,
    );
    assertEquals(err.message.split("\n").length, 1);
    assertEquals(await snapshot(out), before);
    await Deno.remove(bad, { recursive: true });
    await writeRun(bad, runRecord("r0", {}), ["trained"]);
    await assertRejects(
      () => mergeSweepResults([bad, good], out),
      InputError,
      `Cannot merge ${bad}: ${join(bad, "trained", "t-r0.json")} is missing`,
    );
    assertEquals(await snapshot(out), before);
  }));

Deno.test("merge: truncated scores, trained or prompts files are refused naming them; --out unchanged", () =>
  withTemp(async (dir) => {
    const shard = join(dir, "shard"), out = join(dir, "out");
    const rec = runRecord("r0", {});
    const prompts = paths.prompts(shard, rec.trainingId, rec.spec);
    const card = join(shard, "prompts", `${promptsStem(rec.spec, rec.trainingId)}.json`);
    const reset = async () => {
      await Deno.remove(shard, { recursive: true }).catch(() => {});
      await writeRun(shard, rec);
      await writeSafetensors(prompts, new Map([["text_ctx", { shape: [2, 4], data: new Float32Array(8).fill(0.5) }]]));
      await writeJson(card, {
        kind: "ppad-prompts",
        modelHash: rec.spec.modelHash,
        spec: { variant: "ppad", regions: "ppad5", nCtx: 2, classWords: ["normal", "pneumonia"] },
        regions: [],
      });
    };
    const truncate = async (path: string, keep: number) => {
      const bytes = await Deno.readFile(path);
      await Deno.writeFile(path, bytes.subarray(0, Math.floor(bytes.length * keep)));
    };
    await reset();
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "keep.txt"), "earlier work");
    const before = await snapshot(out);

    const scores = join(shard, "scores", "r0.csv");
    for (const keep of [0.5, 0.93, 0]) {
      await reset();
      await truncate(scores, keep);
      const err = await assertRejects(() => mergeSweepResults([shard], out), InputError, scores);
      assertEquals(err.message.split("\n").length, 1);
      assertEquals(await snapshot(out), before);
    }
    await reset();
    await truncate(paths.trained(shard, rec.trainingId), 0.6);
    await assertRejects(
      () => mergeSweepResults([shard], out),
      InputError,
      `Cannot read ${paths.trained(shard, rec.trainingId)}: invalid JSON`,
    );
    await reset();
    await truncate(prompts, 0.8);
    await assertRejects(() => mergeSweepResults([shard], out), InputError, `Cannot read ${prompts}: `);
    await reset();
    await Deno.remove(card);
    await assertRejects(() => mergeSweepResults([shard], out), InputError, `${card} is missing`);
    await reset();
    await Deno.writeTextFile(card, '{"kind": "ppad-prompts"');
    await assertRejects(() => mergeSweepResults([shard], out), InputError, `Cannot read the prompts card ${card}`);
    assertEquals(await snapshot(out), before);

    // Whole files merge, prompts and card included.
    await reset();
    assertEquals(await mergeSweepResults([shard], out), 1);
    for (const p of [prompts, card, paths.trained(shard, rec.trainingId), scores, paths.run(shard, "r0")]) {
      assertEquals(await Deno.readFile(p.replace(shard, out)), await Deno.readFile(p));
    }
    assertEquals(await Deno.readTextFile(join(out, "keep.txt")), "earlier work");
  }));

Deno.test("merge: a malformed record (no spec; metrics not an object) names the file and the field", () =>
  withTemp(async (dir) => {
    const shard = join(dir, "shard"), out = join(dir, "out");
    const rec = runRecord("r0", {});
    await writeRun(shard, rec);
    const file = paths.run(shard, "r0");
    const cases: [Record<string, unknown>, string][] = [
      [{ spec: undefined }, "spec is missing"],
      [{ metrics: "x" }, 'metrics must be an object of numbers, got "x"'],
    ];
    for (const [change, field] of cases) {
      await writeJson(file, JSON.parse(JSON.stringify({ ...rec, ...change })));
      const err = await assertRejects(
        () => mergeSweepResults([shard], out),
        InputError,
        `Cannot read run record ${file}: ${field}`,
      );
      assertEquals(err.message.split("\n").length, 1);
      assert(!(await exists(out)), "nothing written");
    }
  }));

Deno.test("merge: a shard argument that is a file, not a folder, is named; the command exits 2 before --out", () =>
  withTemp(async (dir) => {
    const file = join(dir, "ok.csv"), out = join(dir, "O");
    await Deno.writeTextFile(file, "a,b\n");
    await assertRejects(
      () => checkSourceFolders([file]),
      InputError,
      `Cannot merge ${file}: it is a file, not a folder`,
    );
    const err = await assertRejects(() => mergeSweepResults([file], out), InputError, "shard's results folder");
    assertEquals(err.message.split("\n").length, 1);
    await assertRejects(() => mergeSweepResults([join(file, "x")], out), InputError, "not a folder");
    const cli = await mergeCli(["--out", out, file]);
    assertEquals(cli.code, 2, cli.stderr);
    assertEquals(
      cli.stderr.trim(),
      `error: Cannot merge ${file}: it is a file, not a folder; each SHARD_DIR must be ` +
        "a shard's results folder (with runs/ and shard.json)",
    );
    assert(!(await exists(out)), "--out created for a refused merge");
  }));
