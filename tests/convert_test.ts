/** `deno task convert` end to end, as a subprocess: refusals (exit 2, one stderr line, no OUT) and real conversions. */
import { assert, assertEquals } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { zipSync } from "fflate";
import { hfToOpenai, loadStateDict, readSafetensors } from "../lib/encoders/checkpoint/mod.ts";
import { float16BitsToFloat32, float32ToFloat16Bits } from "../lib/encoders/checkpoint/dtype.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

const CLI = join(PROJECT_ROOT, "cli", "convert.ts");
/** The tests' CheXzero-format checkpoint: 62 OpenAI keys, 35 of them stored fp16 (`testing/test_model.ts`). */
const FIXTURE = TEST_MODEL_PATH;

async function convert(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PPAD_QUIET: "1", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

Deno.test("bad input: exit 2, a one-line 'error: Cannot …' on stderr, OUT untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const garbage = join(dir, "garbage.pt");
    await Deno.writeTextFile(garbage, "not a checkpoint at all");
    const enc = new TextEncoder();
    const evil = join(dir, "evil.pt");
    const pkl = Uint8Array.from([
      0x80,
      0x02,
      0x63,
      ...enc.encode("os\nsystem\n"),
      0x58,
      1,
      0,
      0,
      0,
      0x78,
      0x85,
      0x52,
      0x2e,
    ]);
    await Deno.writeFile(evil, zipSync({ "m/data.pkl": pkl, "m/version": enc.encode("3\n") }));
    // An earlier conversion (a safetensors header of `{}`) that a failed one must leave as it is.
    const kept = join(dir, "kept.safetensors");
    const previous = Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]);
    await Deno.writeFile(kept, previous);
    const notes = join(dir, "notes.txt");
    await Deno.writeTextFile(notes, "previous");
    const cases: [string[], string][] = [
      [[], "error: Cannot parse convert arguments: expected IN and OUT"],
      [[garbage, join(dir, "a.safetensors")], "error: Cannot load"],
      [[evil, kept], "pickle references forbidden global os.system"],
      [[garbage, join(dir, "b.safetensors"), "--dtype", "float8"], 'error: Cannot use --dtype "float8"'],
      [[join(dir, "missing.pt"), join(dir, "c.safetensors")], "error: Cannot read"],
      [[garbage, join(dir, "d.safetensors"), "--bogus"], "error: Cannot parse convert arguments"],
      [[evil, notes], `error: Cannot write to OUT ${notes}: it holds another file, not a safetensors checkpoint`],
    ];
    for (const [args, message] of cases) {
      const r = await convert(...args);
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertEquals(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert(r.stderr.includes(message), `${r.stderr} lacks ${message}`);
      assertEquals(r.stdout, "");
    }
    assertEquals(await Deno.readFile(kept), previous);
    assertEquals(await Deno.readTextFile(notes), "previous");
    assert(!exists(join(dir, "a.safetensors")) && !exists(join(dir, "b.safetensors")));
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "evil.pt",
      "garbage.pt",
      "kept.safetensors",
      "notes.txt",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "CheXzero-format .pt → fp32 safetensors (exact, with metadata) and → fp16 HF safetensors (fp16 sources exact)",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const source = await loadStateDict(FIXTURE);
      const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(FIXTURE)))]
        .map((b) => b.toString(16).padStart(2, "0")).join("");

      const out32 = join(dir, "clip.safetensors");
      const r32 = await convert(FIXTURE, out32);
      assertEquals(r32.code, 0, r32.stderr);
      assert(r32.stdout.startsWith(`${out32}\t62 tensors\tfloat32\topenai-clip`), r32.stdout);
      const f32 = await readSafetensors(out32);
      assertEquals(f32.metadata, {
        format: "pt",
        keys: "openai-clip",
        source: "model.pt",
        source_sha256: sha,
        converter: "ppad-convert/1",
        dtype: "float32",
        tensor_count: "62",
      });
      assertEquals([...f32.tensors.keys()].sort(), [...source.keys()].sort());
      for (const [k, t] of source) {
        assertEquals(f32.tensors.get(k)!.shape, t.shape);
        assertEquals(f32.tensors.get(k)!.data, t.data, k);
      }

      const out16 = join(dir, "clip-hf16.safetensors");
      const r16 = await convert(FIXTURE, out16, "--dtype", "float16", "--hf");
      assertEquals(r16.code, 0, r16.stderr);
      const f16 = await readSafetensors(out16);
      assertEquals(f16.metadata.keys, "hf-clip");
      assertEquals(f16.metadata.tensor_count, "78");
      assert([...f16.dtypes.values()].every((d) => d === "F16"));
      const back = hfToOpenai(f16.tensors);
      let exact = 0;
      for (const [k, t] of source) {
        const rounded = float16BitsToFloat32(float32ToFloat16Bits(t.data));
        assertEquals(back.get(k)!.data, rounded, k); // fp16 file == fp16 rounding of the source, always
        if (rounded.every((v, i) => v === t.data[i])) exact++;
      }
      assert(exact >= 35, `only ${exact} tensors were fp16 in the source`); // CheXzero-style: 35 fp16 storages
      assertEquals(back.get("visual.conv1.weight")!.data, source.get("visual.conv1.weight")!.data);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
