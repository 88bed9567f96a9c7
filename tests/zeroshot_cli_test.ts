import { assert, assertEquals } from "./assert.ts";
import { runCli } from "../testing/cli.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

Deno.test({
  name: "zeroshot CLI: one tidy row per model × data × metric, the AUROC inside its bootstrap interval",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ppad-zs-" });
    try {
      const data = join(dir, "zl");
      await makeFakeDataset(data, "zhanglab-kaggle", {
        normal: 6,
        abnormal: 6,
        trainNormal: 2,
        size: 48,
        rng: new Rng(4),
      });
      const out = join(dir, "zs.csv");
      const res = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(PROJECT_ROOT, "cli/zeroshot.ts"),
          "--models",
          "models/ppad-mini-cxr-real/model.safetensors",
          "--real",
          "none",
          "--no-benchmark",
          "--data",
          data,
          "--out",
          out,
          "--chart",
          join(dir, "charts", "zs.png"),
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
      const lines = (await Deno.readTextFile(out)).trim().split("\n");
      assertEquals(lines[0], "model,model_hash,data,role,n,metric,value");
      assertEquals(lines.length, 4); // auroc, auroc_lo, auroc_hi
      const value = (m: string) => Number(lines.find((l) => l.includes(`,${m},`))!.split(",").at(-1));
      assert(value("auroc_lo") <= value("auroc") && value("auroc") <= value("auroc_hi"), lines.join("\n"));
      assert(lines[1].includes(",reported only,12,"), lines[1]);
      // The chart beside it: PNG and SVG, a ".png" ending dropped.
      const svg = await Deno.readTextFile(join(dir, "charts", "zs.svg"));
      assert(svg.includes("ppad-mini-cxr-real") && svg.includes("(reported only)"), svg.slice(0, 200));
      assert((await Deno.stat(join(dir, "charts", "zs.png"))).size > 1000);
      // --from redraws from the table, scoring nothing; a table of something else is refused, naming the file.
      const zeroshot = (...args: string[]) => runCli("zeroshot", ...args);
      const redraw = await zeroshot("--from", out, "--chart", join(dir, "redrawn"));
      assertEquals(redraw.code, 0, new TextDecoder().decode(redraw.stderr));
      assertEquals(await Deno.readTextFile(join(dir, "redrawn.svg")), svg);
      const other = join(dir, "other.csv");
      await Deno.writeTextFile(other, "run,metric,value\na,auroc,0.5\n");
      const wrong = await zeroshot("--from", other, "--chart", join(dir, "x"));
      assertEquals(wrong.code, 2);
      const message = new TextDecoder().decode(wrong.stderr);
      assert(message.includes(other) && message.includes("not a zero-shot table"), message);
      assertEquals((await zeroshot("--from", out)).code, 2); // --from draws or judges: --chart or --judge is needed
      // A file where a CSV should go is refused before any work.
      const bad = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli/zeroshot.ts"), "--out", dir],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(bad.code, 2);
      // A folder the user named must exist; an empty --models names nothing: one line, exit 2, before any work.
      for (
        const [args, message] of [
          [["--real", join(dir, "nope")], `--real ${join(dir, "nope")}: no such folder`],
          [["--real", "none", "--data", join(dir, "nope")], `--data ${join(dir, "nope")}: no such folder`],
          [["--models", ""], "names no checkpoint"],
        ] as const
      ) {
        const r = await zeroshot(...args);
        const stderr = new TextDecoder().decode(r.stderr).trim();
        assertEquals(r.code, 2, stderr);
        assertEquals(stderr.split("\n").length, 1, stderr);
        assert(stderr.includes(message), stderr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("zeroshot CLI --judge: the choosing rule's verdicts from stored tables, printed and as a tidy CSV", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-zs-judge-" });
  try {
    const table = join(dir, "zs.csv");
    const row = (model: string, role: string, data: string, auroc: number) =>
      `c/${model}/model.safetensors,h-${model},${data},${role},600,auroc,${auroc}`;
    const backbone = (model: string, held: number, synthetic: number, zhanglab: number) => [
      row(model, "held-out real (model selection)", "corpus", held),
      row(model, "synthetic benchmark test", "data/synthetic-cxr-v1", synthetic),
      row(model, "reported only", "../zhanglab-224", zhanglab),
    ];
    await Deno.writeTextFile(
      table,
      ["model,model_hash,data,role,n,metric,value", ...backbone("base", 0.87, 0.57, 0.7)]
        .concat(backbone("base-seed2", 0.86, 0.64, 0.7), backbone("longer", 0.88, 0.6, 0.5))
        .concat(backbone("short", 0.84, 0.55, 0.95)).join("\n") + "\n",
    );
    const zeroshot = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli/zeroshot.ts"), "--from", table, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const out = join(dir, "verdicts.csv");
    const res = await zeroshot("--judge", "base", "--out", out);
    assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
    const printed = new TextDecoder().decode(res.stdout).trim().split("\n");
    assertEquals(printed.length, 3, printed.join("\n")); // a header, then every backbone not of the recipe
    assert(
      printed[1].startsWith("longer\tbase (2)\t88.0 (above 86.0–87.0)") && printed[1].endsWith("\tbetter"),
    );
    assert(printed[2].startsWith("short\t") && printed[2].endsWith("\tnot better"), printed[2]); // ZhangLab ignored
    const csv = (await Deno.readTextFile(out)).trim().split("\n");
    assertEquals(csv[0], "candidate,baseline,baseline_runs,set,auroc,range_lo,range_hi,position,better");
    assertEquals(csv[1], "longer,base,2,held-out real,88,86,87,above,true");
    assertEquals(csv.length, 5);
    // --candidates narrows; an unknown recipe is refused with a one-line error.
    const one = await zeroshot("--judge", "base", "--candidates", "short");
    assertEquals(new TextDecoder().decode(one.stdout).trim().split("\n").length, 2);
    const unknown = await zeroshot("--judge", "nothing");
    assertEquals(unknown.code, 2);
    assert(new TextDecoder().decode(unknown.stderr).includes("no backbone of the baseline recipe nothing"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
