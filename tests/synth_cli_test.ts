import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const CLI = join(PROJECT_ROOT, "cli", "synth.ts");

async function synth(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PPAD_QUIET: "1", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("synth CLI writes the ZhangLab/SQUID layout, then reports it complete", async () => {
  const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
  try {
    const out = join(root, "bench");
    const args = ["--out", out, "--seed", "3", "--train-normal", "2", "--test-normal", "2", "--test-abnormal", "6"];
    const first = await synth(...args, "--size", "64");
    assertEquals(first.code, 0, first.stderr);
    assertEquals(first.stdout.trim(), out);
    for (
      const [folder, n] of [["train/normal_256", 2], ["test/normal_256", 2], ["test/pneumonia_256", 6], ["masks", 6]]
    ) {
      const names = [];
      for await (const e of Deno.readDir(join(out, folder as string))) names.push(e.name);
      assertEquals(names.filter((n) => n.endsWith(".png")).length, n, folder as string);
    }
    const manifest = await Deno.readTextFile(join(out, "manifest.csv"));
    assertEquals(manifest.trimEnd().split("\n").length, 11);
    const stamp = JSON.parse(await Deno.readTextFile(join(out, "benchmark.json")));
    assertEquals([stamp.seed, stamp.size, stamp.counts.testAbnormal], [3, 64, 6]);
    const again = await synth(...args, "--size", "64");
    assertEquals(again.code, 0);
    assert(again.stderr.includes("already complete"), again.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("synth CLI rejects bad flags with a one-line error and exit code 2", async () => {
  const cases: [string[], string][] = [
    [["--size", "abc"], "--size"],
    [["--size", "8"], "--size"],
    [["--train-normal", "-1"], "--train-normal"],
    [["--seed", "1.5"], "--seed"],
    [["--bogus"], "unknown option --bogus"],
    [["stray"], "unexpected argument"],
  ];
  for (const [args, needle] of cases) {
    const r = await synth("--out", "/nonexistent/never-written", ...args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].startsWith("error: ") && lines[0].includes(needle), lines[0]);
  }
});

Deno.test("synth CLI refuses to overwrite a folder that is not a benchmark", async () => {
  const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
  try {
    await Deno.writeTextFile(join(root, "keep.txt"), "precious");
    const r = await synth("--out", root, "--train-normal", "1", "--test-normal", "1", "--test-abnormal", "1");
    assertEquals(r.code, 2, r.stderr);
    assert(r.stderr.includes("not a synthetic benchmark"), r.stderr);
    assertEquals(await Deno.readTextFile(join(root, "keep.txt")), "precious");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("synth CLI --bench prints the speed and the machine", async () => {
  const r = await synth("--bench", "--bench-count", "5", "--size", "64");
  assertEquals(r.code, 0, r.stderr);
  assert(/img\/s/.test(r.stdout) && /machine:/.test(r.stdout), r.stdout);
});
