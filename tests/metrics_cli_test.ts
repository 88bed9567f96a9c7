import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const CLI = join(PROJECT_ROOT, "cli", "metrics.ts");

/** Runs the metrics CLI with `args` in a temp folder holding `files`; returns exit code, stdout, stderr. */
async function runCli(files: Record<string, string>, args: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "metrics_cli_" });
  try {
    for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), CLI, ...args],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Same tied case as metrics_test.ts: AUROC 5.5/9, AP 1/6 + 0.4, ACC 0.5, F1 0.4, F1-max 0.75.
const GOOD = "id,label,score\na,1,0.9\nb,0,0.9\nc,1,0.5\nd,0,0.5\ne,1,0.5\nf,0,0.1\n";

Deno.test("metrics CLI: --json prints the hand-computed metrics; table mode is readable", async () => {
  const r = await runCli({ "scores.csv": GOOD }, ["--scores", "scores.csv", "--json"]);
  assertEquals(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assertEquals(Object.keys(m), ["auroc", "ap", "acc", "f1", "f1max", "n", "positives"]);
  assertAlmostEquals(m.auroc, 5.5 / 9, 1e-12);
  assertAlmostEquals(m.ap, 1 / 6 + 0.4, 1e-12);
  assertAlmostEquals(m.acc, 0.5, 1e-12);
  assertAlmostEquals(m.f1, 0.4, 1e-12);
  assertAlmostEquals(m.f1max, 0.75, 1e-12);
  assertEquals([m.n, m.positives], [6, 3]);
  const t = await runCli({ "scores.csv": GOOD }, ["--scores", "scores.csv", "--bootstrap", "50", "--seed", "1"]);
  assertEquals(t.code, 0, t.stderr);
  assert(t.stdout.includes("AUROC") && t.stdout.includes("61.11") && t.stdout.includes("bootstrap"), t.stdout);
});

Deno.test("metrics CLI: malformed input exits 2 with a one-line message naming file and line", async () => {
  const cases: [Record<string, string>, string[], string][] = [
    [
      { "scores.csv": GOOD.replace("e,1,0.5", "e,2,0.5") },
      ["--scores", "scores.csv"],
      'scores.csv:6: label must be 0 or 1, got "2"',
    ],
    [{ "scores.csv": "id,score\na,0.1\n" }, ["--scores", "scores.csv"], 'scores.csv:1: missing column "label"'],
    [{ "scores.csv": "id,label,score\na,0,0.1\nb,0,0.7\n" }, ["--scores", "scores.csv"], "both classes are needed"],
    [{}, ["--scores", "missing.csv"], "Cannot read scores file missing.csv"],
    [{}, [], "--scores is required"],
  ];
  for (const [files, args, msg] of cases) {
    const r = await runCli(files, args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert(r.stderr.includes(msg), `stderr ${JSON.stringify(r.stderr)} lacks ${msg}`);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assertEquals(r.stdout, "");
  }
});
