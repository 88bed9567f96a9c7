import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { readStamp } from "../lib/data/synthetic/mod.ts";

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
    const first = await synth(...args, "--size", "128");
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
    assertEquals([stamp.seed, stamp.size, stamp.counts.testAbnormal], [3, 128, 6]);
    const again = await synth(...args, "--size", "128");
    assertEquals(again.code, 0);
    assert(again.stderr.includes("already complete"), again.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("synth CLI rejects bad flags with a one-line error and exit code 2", async () => {
  const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
  const out = join(root, "never-written");
  const cases: [string[], string][] = [
    [["--size", "abc"], "--size"],
    [["--size", "8"], "--size"],
    // Below 128 px a small effusion or nodule can leave an empty mask: refused before any work, in every mode.
    [["--size", "64"], '--size "64": expected an integer in 128…4096'],
    [["--size", "127"], "a small effusion or nodule can fall between pixels"],
    [["--bench", "--size", "32"], '--size "32": expected an integer in 128…4096'],
    [["--gallery", "--size", "32", join(root, "never-written.png")], '--size "32"'],
    [["--train-normal", "-1"], "--train-normal"],
    [["--seed", "1.5"], "--seed"],
    [["--bogus"], "unknown option --bogus"],
    [["stray"], "unexpected argument"],
  ];
  try {
    for (const [args, needle] of cases) {
      const r = await synth("--out", out, "--train-normal", "1", "--test-normal", "0", "--test-abnormal", "0", ...args);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assertEquals(lines.length, 1, r.stderr);
      assert(lines[0].startsWith("error: ") && lines[0].includes(needle), lines[0]);
      const made = [];
      for await (const e of Deno.readDir(root)) made.push(e.name);
      assertEquals(made, [], `${args.join(" ")}: a bad flag writes nothing`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
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
    // The gallery replaces an earlier gallery (a PNG), never another file.
    const g = await synth("--gallery", join(root, "keep.txt"));
    assertEquals(g.code, 2, g.stderr);
    assert(g.stderr.includes("keep.txt: it holds another file, not a PNG"), g.stderr);
    assertEquals(await Deno.readTextFile(join(root, "keep.txt")), "precious");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("synth CLI --bench prints the speed and the machine", async () => {
  const r = await synth("--bench", "--bench-count", "5", "--size", "128");
  assertEquals(r.code, 0, r.stderr);
  assert(/img\/s/.test(r.stdout) && /machine:/.test(r.stdout), r.stdout);
});

Deno.test("synth --help gives the --size range that works", async () => {
  const r = await synth("--help");
  assertEquals(r.code, 0, r.stderr);
  assert(/--size N .*128…4096/.test(r.stdout), r.stdout);
});

const SMALL = ["--train-normal", "1", "--test-normal", "1", "--test-abnormal", "2", "--size", "128"];

/** Every file under `dir` (relative path → bytes). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p);
      else out.set(p, (await Deno.readFile(join(dir, p))).join(","));
    }
  };
  await walk("");
  return out;
}

Deno.test("synth keeps a benchmark made with the same options, refuses other options unless --force", async () => {
  const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
  try {
    const out = join(root, "bench");
    assertEquals((await synth("--out", out, "--seed", "3", ...SMALL)).code, 0);
    const before = await snapshot(out);
    const same = await synth("--out", out, "--seed", "3", ...SMALL);
    assertEquals(same.code, 0, same.stderr);
    assert(same.stderr.includes("already complete"), same.stderr);
    // Other options: one line naming the folder and every difference; nothing touched.
    const other = await synth("--out", out, "--seed", "4", ...SMALL, "--test-normal", "2");
    assertEquals(other.code, 2, other.stderr);
    const lines = other.stderr.trim().split("\n");
    assertEquals(lines.length, 1, other.stderr);
    assert(lines[0].startsWith(`error: Cannot write the benchmark to ${out}:`), lines[0]);
    assert(lines[0].includes("--seed 3, not 4; --test-normal 1, not 2") && lines[0].includes("--force"), lines[0]);
    assertEquals(await snapshot(out), before);
    // --force replaces it.
    const forced = await synth("--out", out, "--seed", "4", ...SMALL, "--force");
    assertEquals(forced.code, 0, forced.stderr);
    assertEquals((await readStamp(out))?.seed, 4);
    const names = [];
    for await (const e of Deno.readDir(root)) names.push(e.name);
    assertEquals(names, ["bench"], "no scratch folder left");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "a killed synth's hidden partial folder is removed by the next run",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
    try {
      const out = join(root, "bench");
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), CLI, "--out", out, "--quiet", "--size", "128"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const partial = async () => {
        for await (const e of Deno.readDir(root)) if (e.name.startsWith(`.bench.partial-${child.pid}`)) return e.name;
        return null;
      };
      let name: string | null = null;
      for (let i = 0; i < 600 && !name; i++) {
        await new Promise((r) => setTimeout(r, 50));
        name = await partial();
      }
      child.kill("SIGKILL");
      await child.status;
      assert(name, "the run made its partial folder");
      assert(await Deno.stat(join(root, name)).then(() => true), "the kill left it behind");
      // A live run's partial folder (this test process) must survive the cleanup.
      const live = join(root, `.bench.partial-${Deno.pid}`);
      await Deno.mkdir(live);
      const next = await synth("--out", out, "--seed", "3", ...SMALL);
      assertEquals(next.code, 0, next.stderr);
      assert(next.stderr.includes(`removed ${join(root, name)}`), next.stderr);
      const names = [];
      for await (const e of Deno.readDir(root)) names.push(e.name);
      assertEquals(names.sort(), [".bench.partial-" + Deno.pid, "bench"].sort());
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a benchmark moved aside by a run killed mid-swap is put back, then kept",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "synth_cli_" });
    try {
      const out = join(root, "bench");
      assertEquals((await synth("--out", out, "--seed", "3", ...SMALL)).code, 0);
      const before = await snapshot(out);
      const child = new Deno.Command(Deno.execPath(), { args: ["eval", ""], stdout: "null", stderr: "null" }).spawn();
      await child.status; // its pid is now a dead run's
      await Deno.rename(out, join(root, `.bench.old-${child.pid}`));
      const next = await synth("--out", out, "--seed", "3", ...SMALL);
      assertEquals(next.code, 0, next.stderr);
      assert(next.stderr.includes(`restored ${out}`) && next.stderr.includes("already complete"), next.stderr);
      assertEquals(await snapshot(out), before);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
