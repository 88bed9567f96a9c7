/**
 * Strict numbers in the tables the backbone comparison and the yardstick read back: an empty, non-numeric or
 * non-finite cell where a number is required, or a ragged record, is an `InputError` naming the file, line and column,
 * never a silent 0 (`Number(null)`) or an error that names neither.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { parseCsvRecords } from "../lib/util/mod.ts";
import {
  listYardstickTables,
  readHeldOutCurve,
  readYardstickTables,
  readZeroShotTables,
  zeroShotPoints,
} from "../lib/experiments/mod.ts";
import { runCli } from "../testing/cli.ts";
import { InputError, join, PROJECT_ROOT } from "../lib/util/mod.ts";

const ZS_HEADER = "model,model_hash,data,role,n,metric,value";
const HELD = "held-out real (model selection)", ZHANG = "ZhangLab test (reported only)";
/** One backbone's held-out rows as `deno task zeroshot --out` writes them (line 2, 3, 4 of the table). */
const ZS_ROWS = [
  `m/model.safetensors,h,"corpus (held-out 10 %, seed 1)",${HELD},600,auroc,0.9`,
  `m/model.safetensors,h,"corpus (held-out 10 %, seed 1)",${HELD},600,auroc_lo,0.88`,
  `m/model.safetensors,h,"corpus (held-out 10 %, seed 1)",${HELD},600,auroc_hi,0.93`,
];
const Y_HEADER = "recipe,machine,seed,epoch,role,metric,value";
const RECIPE = '"ViT w192 L4 p32, BCE, light augmentation, 1 epochs x 64, AdamW 0.0003"';
/** One seed's epoch of a yardstick table as classifier.py writes it (CRLF, a blank role on the wall-time row). */
const Y_ROWS = [
  `${RECIPE},"x86_64, 2 threads",1,1,${HELD},auroc,0.77865`,
  `${RECIPE},"x86_64, 2 threads",1,1,${ZHANG},auroc,0.67003`,
  `${RECIPE},"x86_64, 2 threads",1,1,,wall_s,81`,
];

async function withFile<T>(name: string, text: string, f: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-strict-" });
  try {
    await Deno.writeTextFile(join(dir, name), text);
    return await f(join(dir, name));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The message of the InputError `read(path)` rejects with, checked to name the file. */
async function refusal(name: string, text: string, read: (path: string) => Promise<unknown>): Promise<string> {
  return await withFile(name, text, async (path) => {
    const err = await assertRejects(() => read(path), InputError);
    assert(err.message.includes(path), err.message);
    assert(!err.message.includes("\n"), "one line");
    return err.message.slice(err.message.indexOf(path) + path.length);
  });
}

const zeroShot = (lines: string[]) => [ZS_HEADER, ...lines].join("\n") + "\n";
const readZs = (path: string) => readZeroShotTables([path]);

Deno.test("readZeroShotTables: an empty value is refused naming the file, line and column, not read as AUROC 0", async () => {
  const text = zeroShot([ZS_ROWS[0], ZS_ROWS[1].replace(/0\.88$/, ""), ZS_ROWS[2]]);
  assertEquals(await refusal("zs.csv", text, readZs), ' line 3: column "value" is "" (expected a number)');
});

Deno.test("readZeroShotTables: a non-numeric, non-finite or hexadecimal value is refused with its line", async () => {
  for (const bad of ["n/a", "NaN", "Infinity", "0x1", "0.9.1"]) {
    const text = zeroShot([ZS_ROWS[0].replace(/0\.9$/, bad), ...ZS_ROWS.slice(1)]);
    assertEquals(
      await refusal("zs.csv", text, readZs),
      ` line 2: column "value" is ${JSON.stringify(bad)} (expected a number)`,
    );
  }
});

Deno.test("readZeroShotTables: a non-numeric, empty or fractional n is refused", async () => {
  for (const [bad, line] of [["six hundred", 4], ["", 2], ["600.5", 3]] as const) {
    const lines = [...ZS_ROWS];
    lines[line - 2] = lines[line - 2].replace(",600,", `,${bad},`);
    assertEquals(
      await refusal("zs.csv", zeroShot(lines), readZs),
      ` line ${line}: column "n" is ${JSON.stringify(bad)} (expected a whole number >= 0)`,
    );
  }
});

Deno.test("readZeroShotTables: a record with too few or too many cells is refused naming the line and column", async () => {
  const short = zeroShot([ZS_ROWS[0], ZS_ROWS[1].replace(/,0\.88$/, ""), ZS_ROWS[2]]);
  assertEquals(
    await refusal("zs.csv", short, readZs),
    ' line 3: 6 cells where the header has 7 (no cell for column "value")',
  );
  const long = zeroShot([...ZS_ROWS.slice(0, 2), `${ZS_ROWS[2]},extra`]);
  assertEquals(
    await refusal("zs.csv", long, readZs),
    ' line 4: 8 cells where the header has 7 (a cell after the last column "value")',
  );
  // The line named is the file's: blank lines count.
  const spaced = zeroShot([ZS_ROWS[0], "", ZS_ROWS[1], ZS_ROWS[2].replace(",600,", ",,")]);
  assertEquals(await refusal("zs.csv", spaced, readZs), ' line 5: column "n" is "" (expected a whole number >= 0)');
});

Deno.test("readZeroShotTables: a well-formed table reads as before: text cells, numeric value and n, blank lines skipped", async () => {
  const text = [ZS_HEADER, ...ZS_ROWS, "", ""].join("\r\n").replace(HELD, `"${HELD}"`);
  const rows = await withFile("zs.csv", text, readZs);
  assertEquals(rows.length, 3);
  assertEquals(rows[0], {
    model: "m/model.safetensors",
    model_hash: "h",
    data: "corpus (held-out 10 %, seed 1)",
    role: HELD,
    n: 600,
    metric: "auroc",
    value: 0.9,
  });
  assertEquals(zeroShotPoints(rows), [{ model: "m", role: "held-out real (chooses)", auroc: 90, lo: 88, hi: 93 }]);
});

Deno.test("readZeroShotTables: the committed zero-shot and probe tables read without a refusal", async () => {
  const dir = join(PROJECT_ROOT, "results/backbones");
  for (const name of ["zero-shot.csv", "candidates-zero-shot.csv", "image-probe.csv", "pixel-probe.csv"]) {
    const rows = await readZeroShotTables([join(dir, name)], { skipMissing: true });
    assert(rows.every((r) => typeof r.value === "number" && typeof r.n === "number"), name);
  }
  const yardstick = await readYardstickTables(await listYardstickTables(dir));
  assert(yardstick.length > 0 && yardstick.every((r) => r.auroc >= 0 && r.auroc <= 100));
});

Deno.test("zeroshot CLI --judge: an empty value exits 2 with one line naming the file, line and column", async () => {
  const text = zeroShot([ZS_ROWS[0].replace(/0\.9$/, ""), ...ZS_ROWS.slice(1)]);
  await withFile("zs.csv", text, async (path) => {
    const res = await runCli("zeroshot", "--from", path, "--judge", "m");
    const stderr = new TextDecoder().decode(res.stderr);
    assertEquals(res.code, 2, stderr);
    assertEquals(stderr, `error: Cannot read ${path} line 2: column "value" is "" (expected a number)\n`);
    assertEquals(new TextDecoder().decode(res.stdout), "", "no verdict printed");
  });
});

Deno.test("zeroShotPoints: rows in memory without a numeric value (null, empty, n/a) are refused, never AUROC 0", () => {
  for (const value of [null, "", "n/a", undefined]) {
    assertThrows(
      () => zeroShotPoints([{ model: "m", data: "d", role: HELD, metric: "auroc", value }]),
      InputError,
      "no numeric value",
    );
  }
  assertEquals(zeroShotPoints([{ model: "m", data: "d", role: HELD, metric: "auroc", value: "0.5" }])[0].auroc, 50);
});

Deno.test("readHeldOutCurve: an empty or non-numeric step or AUROC is refused naming the line and column", async () => {
  const read = (path: string) => readHeldOutCurve(path, "r");
  assertEquals(
    await refusal("a.heldout.csv", "step,auroc,logit_scale\n100,0.7,12\n200,,11\n", read),
    ' line 3: column "auroc" is "" (expected a number)',
  );
  assertEquals(
    await refusal("a.heldout.csv", "step,auroc,logit_scale\n1e2x,0.7,12\n", read),
    ' line 2: column "step" is "1e2x" (expected a whole number >= 0)',
  );
  assertEquals(
    await refusal("a.heldout.csv", "step,auroc,logit_scale\n100,0.7\n", read),
    ' line 2: 2 cells where the header has 3 (no cell for column "logit_scale")',
  );
});

const yardstick = (lines: string[]) => [Y_HEADER, ...lines].join("\r\n") + "\r\n";

Deno.test("readYardstickTables: an empty AUROC is refused naming the file, line and column, not read as 0", async () => {
  const text = yardstick([Y_ROWS[0], Y_ROWS[1].replace(/0\.67003$/, ""), Y_ROWS[2]]);
  assertEquals(
    await refusal("y.csv", text, (path) => readYardstickTables([path])),
    ' line 3: column "value" is "" (expected a number in [0, 1])',
  );
});

Deno.test("readYardstickTables: a non-numeric or empty seed or epoch, or a ragged record, is refused with its line", async () => {
  const read = (path: string) => readYardstickTables([path]);
  assertEquals(
    await refusal("y.csv", yardstick([Y_ROWS[0].replace(",1,1,", ",one,1,"), ...Y_ROWS.slice(1)]), read),
    ' line 2: column "seed" is "one" (expected a whole number)',
  );
  assertEquals(
    await refusal("y.csv", yardstick([Y_ROWS[0], Y_ROWS[1].replace(",1,1,", ",1,,"), Y_ROWS[2]]), read),
    ' line 3: column "epoch" is "" (expected a whole number)',
  );
  assertEquals(
    await refusal("y.csv", yardstick([Y_ROWS[0], Y_ROWS[1].replace(/,0\.67003$/, ""), Y_ROWS[2]]), read),
    ' line 3: 6 cells where the header has 7 (no cell for column "value")',
  );
  // The wall-time rows' blank role, and their numbers, which are not read, stay accepted.
  const rows = await withFile("y.csv", yardstick([...Y_ROWS.slice(0, 2), Y_ROWS[2].replace(",81", ",")]), read);
  assertEquals(rows.map((r) => [r.seed, r.epoch, r.set, r.auroc]), [
    [1, 1, "held-out real", 77.865],
    [1, 1, ZHANG, 67.003],
  ]);
});

Deno.test("parseCsvRecords: RFC 4180 quoting, each record's line, blank lines left out, malformed quotes refused", () => {
  const table = parseCsvRecords('\uFEFFa,b\r\n"x, ""y""",1\n\n3,""\n', "t.csv");
  assertEquals(table.columns, ["a", "b"]);
  assertEquals(table.records, [
    { line: 2, cells: ['x, "y"', "1"] },
    { line: 4, cells: ["3", ""] },
  ]);
  assertThrows(
    () => parseCsvRecords('a,b\n"open,1\n', "t.csv"),
    InputError,
    "t.csv line 2: a quoted cell is malformed",
  );
  assertThrows(() => parseCsvRecords('a,b\n"x"y,1\n', "t.csv"), InputError, "t.csv line 2: a quoted cell is malformed");
  assertThrows(() => parseCsvRecords("a,a\n1,2\n", "t.csv"), InputError, 't.csv line 1: column "a" appears twice');
  assertThrows(() => parseCsvRecords("\n\n", "t.csv"), InputError, "t.csv: the file is empty");
});
