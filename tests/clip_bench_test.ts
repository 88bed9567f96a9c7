/** `deno task bench` smoke test on the fixture-sized CLIP: the table on stdout and the JSON record. */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

Deno.test("bench --arch mini --quick: markdown table on stdout, JSON with every measurement", async () => {
  const dir = await Deno.makeTempDir({ prefix: "clip_bench_" });
  try {
    const out = join(dir, "wasm.json");
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(PROJECT_ROOT, "lib", "cli", "bench.ts"),
        "--arch",
        "mini",
        "--quick",
        "--batch",
        "2",
        "--out",
        out,
      ],
      cwd: PROJECT_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(res.stdout);
    assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
    assert(stdout.includes("| image forward (img/s) | 2 |"), stdout);
    assert(stdout.includes("backend wasm"), stdout);
    const json = JSON.parse(await Deno.readTextFile(out));
    assertEquals(json.arch, "mini");
    assertEquals(json.results.map((r: { kind: string }) => r.kind), ["forward", "forward+backward", "text"]);
    for (const r of json.results) assert(r.perSecond > 0 && Number.isFinite(r.perSecond), JSON.stringify(r));
    assert(json.machine.cores >= 1 && typeof json.machine.cpu === "string");

    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "lib", "cli", "bench.ts"), "--batch", "8,x"],
      cwd: PROJECT_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(bad.code, 2);
    assert(new TextDecoder().decode(bad.stderr).includes("--batch"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
