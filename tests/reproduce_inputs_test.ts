/**
 * `deno task reproduce` refuses, before any work: a --data folder whose layout names another data set than
 * --dataset, variants outside the paper grid, flags --report-only does not read; its help lists what it accepts.
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/mod.ts";

async function reproduce(args: string[]) {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "cli", "reproduce.ts"), ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr).trim() };
}

Deno.test("reproduce: --dataset must match the --data layout; --report-only refuses flags it ignores", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // ZhangLab's SQUID layout (listing reads no pixels, so empty files do).
    for (const split of ["train", "val", "test"]) {
      for (const c of ["normal_256", "pneumonia_256"]) {
        await Deno.mkdir(join(dir, split, c), { recursive: true });
        await Deno.writeFile(join(dir, split, c, "a.png"), new Uint8Array());
      }
    }
    const model = join(PROJECT_ROOT, "models", "ppad-mini-cxr-real");
    const out = join(dir, "out");
    for (
      const [args, text] of [
        [["--dataset", "chexpert", "--data", dir, "--model", model, "--out", out], "zhanglab"],
        [
          ["--dataset", "zhanglab", "--data", dir, "--model", model, "--out", out, "--variants", "text-only"],
          "valid: zeroshot, coop, ppad",
        ],
        [["--dataset", "zhanglab", "--out", out, "--report-only", "--data", "/nope"], "--data"],
        [["--dataset", "zhanglab", "--out", out, "--report-only", "--seeds", "0"], "--seeds"],
      ] as const
    ) {
      const r = await reproduce([...args]);
      assertEquals(r.code, 2, r.stderr);
      assertEquals(r.stderr.split("\n").length, 1, r.stderr);
      assert(r.stderr.includes(text), r.stderr);
    }
    assertEquals(await Deno.stat(out).then(() => true, () => false), false, "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reproduce --help lists the paper grid's variants and questions, and every kind of --model", async () => {
  const help = (await reproduce(["--help"])).stdout;
  assert(help.includes("(zeroshot, coop, ppad)"), help);
  assert(help.includes("paper grid (main)"), help);
  assert(!help.includes("text-only") && !help.includes("prompts,synthesis"), help);
  assert(help.includes(".safetensors") && help.includes("model folder"), help);
});

Deno.test("docs/real-data.md names prompts files as paths.prompts writes them", async () => {
  const doc = await Deno.readTextFile(join(PROJECT_ROOT, "docs", "real-data.md"));
  assert(!doc.includes("prompts/<trainingId>.safetensors"), "stale prompts file name");
  assert(doc.includes("prompts/<variant>_<regions>_<synthesis>_seed<N>_<trainingId>.safetensors"));
});
