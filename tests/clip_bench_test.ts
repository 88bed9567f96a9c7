/**
 * `deno task bench` on the fixture-sized CLIP: the table on stdout and the JSON record, ours alone (`--torch off`) and,
 * where `python3` or `/usr/bin/python3` imports torch, side by side with the PyTorch reference (bench/torch_reference.py).
 */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const BENCH = join(PROJECT_ROOT, "cli", "bench.ts");

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", BENCH, ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: res.code, stdout: new TextDecoder().decode(res.stdout), stderr: new TextDecoder().decode(res.stderr) };
}

/** The first of python3 and /usr/bin/python3 that imports torch, or null. */
async function torchPython(): Promise<string | null> {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const out = await new Deno.Command(python, { args: ["-c", "import torch"], stdout: "null", stderr: "null" })
        .output();
      if (out.success) return python;
    } catch { /* not installed */ }
  }
  return null;
}

interface Record {
  kind: string;
  batch: number;
  ours: { seconds: number[]; perSecond: number };
  torch: { seconds: number[]; perSecond: number } | null;
  ratio: number | null;
}

Deno.test("bench --arch mini --quick --torch off: ours alone, said in one line; JSON with machine, backend, threads", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clip_bench_" });
  try {
    const out = join(dir, "wasm.json");
    const res = await bench(["--arch", "mini", "--quick", "--batch", "2", "--torch", "off", "--out", out]);
    assertEquals(res.code, 0, res.stderr);
    assert(res.stdout.includes("| image forward (img/s) | 2 |"), res.stdout);
    assert(res.stdout.includes("backend wasm"), res.stdout);
    assertEquals(res.stdout.split("\n").filter((l) => l.startsWith("PyTorch: off")).length, 1, res.stdout);
    const json = JSON.parse(await Deno.readTextFile(out));
    assertEquals(json.arch, "mini");
    assertEquals(json.results.map((r: Record) => r.kind), ["forward", "forward+backward", "text"]);
    for (const r of json.results as Record[]) {
      assert(r.ours.perSecond > 0 && Number.isFinite(r.ours.perSecond), JSON.stringify(r));
      assertEquals(r.torch, null);
      assertEquals(r.ratio, null);
    }
    assert(typeof json.machine === "string" && json.machine.includes("logical CPUs"), json.machine);
    assert(json.threads >= 1 && typeof json.backend === "string", JSON.stringify(json.backend));
    assertEquals(json.torch, null);
    // The wasm SIMD ceiling, on one thread and on all, and the forward pass set against it in GFLOP/s.
    assertEquals(json.simdCeiling.map((c: { threads: number }) => c.threads), [...new Set([1, json.threads])]);
    assert(json.simdCeiling.every((c: { gflops: number }) => c.gflops > 0), JSON.stringify(json.simdCeiling));
    assert(res.stdout.includes("wasm 128-bit SIMD ceiling"), res.stdout);
    assert(
      /image forward at batch 2 \([\d.]+ GFLOP per image\): ours [\d.]+ GFLOP\/s \(\d+ % of the ceiling\)/.test(
        res.stdout,
      ),
      res.stdout,
    );

    const bad = await bench(["--batch", "8,x"]);
    assertEquals(bad.code, 2);
    assert(bad.stderr.includes("--batch"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench --torch with a python that lacks torch, or --blas with no library: one-line error, exit 2, no JSON", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clip_bench_" });
  try {
    const out = join(dir, "wasm.json");
    for (
      const [flags, message] of [
        [["--torch", "/nonexistent/python3"], "Cannot benchmark against --torch /nonexistent/python3: no such file"],
        [["--torch", "false"], "Cannot benchmark against --torch false: it does not start, or cannot import torch"],
        [["--torch", "off", "--blas", "/nonexistent/libcblas.so"], "--blas /nonexistent/libcblas.so: no CBLAS library"],
      ] as const
    ) {
      const res = await bench(["--arch", "mini", "--quick", "--batch", "1", ...flags, "--out", out]);
      assertEquals(res.code, 2, res.stderr);
      const errors = res.stderr.trim().split("\n").filter((l) => l.startsWith("error: "));
      assertEquals(errors.length, 1, res.stderr);
      assert(errors[0].includes(message), res.stderr);
      assertEquals(await Deno.stat(out).then(() => true, () => false), false);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const python = await torchPython();
Deno.test({
  name: "bench beside PyTorch: both timed, alternating, with the ratio ours ÷ PyTorch per workload",
  ignore: python === null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "clip_bench_" });
    try {
      const out = join(dir, "wasm.json");
      const res = await bench([
        "--arch",
        "mini",
        "--batch",
        "2",
        "--rounds",
        "2",
        "--iters",
        "1",
        "--torch",
        python!,
        "--out",
        out,
      ]);
      assertEquals(res.code, 0, res.stderr);
      assert(/^PyTorch \d/m.test(res.stdout), res.stdout);
      const json = JSON.parse(await Deno.readTextFile(out));
      assert(json.torch && typeof json.torch.torch === "string" && json.torch.threads >= 1, JSON.stringify(json.torch));
      for (const r of (json.results as Record[]).filter((r) => r.kind !== "text")) {
        assertEquals(r.ours.seconds.length, 2);
        assertEquals(r.torch!.seconds.length, 2);
        assert(Math.abs(r.ratio! - r.ours.perSecond / r.torch!.perSecond) < 1e-9, JSON.stringify(r));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
