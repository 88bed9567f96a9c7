/**
 * The tests' own mini CLIP (`testing/test_model.ts`), which lets the suite run without `../shared`: generated the
 * same bytes every time, in CheXzero's `.pt` layout (62 OpenAI keys, 35 fp16 storages, the rest fp32), loadable as a
 * model bundle whose vocabulary makes the prompts' position and class words one token each.
 */
import { assert, assertEquals } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { readPtStateDict } from "../lib/encoders/checkpoint/mod.ts";
import { float16BitsToFloat32, float32ToFloat16Bits } from "../lib/encoders/checkpoint/dtype.ts";
import { readZip } from "../lib/encoders/checkpoint/zip.ts";
import { NORMALISATION } from "../lib/data/preprocess.ts";
import { join } from "../lib/util/path.ts";
import {
  ensureTestModel,
  halfPrecisionKeys,
  TEST_BPE_PATH,
  TEST_MODEL_PATH,
  testModelConfig,
  testModelFiles,
  writeTestModel,
} from "../testing/test_model.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-test-model-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("test model: the same bytes every time, and the cached copy is that copy", () =>
  withTemp(async (dir) => {
    const a = await writeTestModel(join(dir, "a"));
    const b = await writeTestModel(join(dir, "b"));
    const cached = testModelFiles();
    for (const key of ["model", "card", "bpe"] as const) {
      const bytes = await Deno.readFile(a[key]);
      assertEquals(await Deno.readFile(b[key]), bytes, key);
      assertEquals(await Deno.readFile(cached[key]), bytes, `cached ${key}`);
    }
  }));

Deno.test("test model: CheXzero's .pt layout: archive folder model/, 62 OpenAI keys, 35 fp16 storages", async () => {
  const bytes = await Deno.readFile(TEST_MODEL_PATH);
  const zip = readZip(bytes, TEST_MODEL_PATH);
  const pickle = new TextDecoder("latin1").decode(zip.read(zip.entries.get("model/data.pkl")!));
  assertEquals(pickle.split("HalfStorage").length - 1, 35);
  assertEquals(pickle.split("FloatStorage").length - 1, 62 - 35);
  const sd = await readPtStateDict(TEST_MODEL_PATH);
  assertEquals(sd.size, 62);
  const half = halfPrecisionKeys(sd);
  assertEquals(half.length, 35);
  for (const k of half) {
    const t = sd.get(k)!.data;
    assertEquals(float16BitsToFloat32(float32ToFloat16Bits(t)), t, `${k} is not fp16-exact`);
  }
});

Deno.test({
  name: "test model: loads as a bundle (card: its vocabulary, CheXzero's normalisation); prompt words are one token",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await initBackend("cpu", { quiet: true });
    const bundle = await loadModelBundle(TEST_MODEL_PATH);
    try {
      assertEquals(bundle.clip.config, testModelConfig(bundle.tokenizer.vocabSize));
      assertEquals(bundle.normalisation, NORMALISATION.chexzero);
      assertEquals(bundle.card?.tokenizer, "bpe.txt");
      assert(bundle.tokenizer.vocabSize > 800 && bundle.tokenizer.vocabSize < 2000, `${bundle.tokenizer.vocabSize}`);
      for (const words of ["left lung", "right lung", "upper lung", "lower lung", "normal.", "pneumonia."]) {
        assertEquals(bundle.tokenizer.encode(words).length, 2, words);
      }
    } finally {
      bundle.clip.dispose();
    }
  },
});

Deno.test("test model: ensureTestModel regenerates a copy made from another recipe, and keeps a current one", () =>
  withTemp(async (dir) => {
    const files = await writeTestModel(dir);
    const stamp = join(dir, "fixtures", "openai-clip-mini", "stamp.json");
    const mtime = (await Deno.stat(files.model)).mtime;
    assertEquals(await ensureTestModel(dir), files);
    assertEquals((await Deno.stat(files.model)).mtime, mtime, "a current copy is not rewritten");
    await Deno.writeTextFile(stamp, '{"generator":0}\n');
    await Deno.writeFile(files.bpe, new Uint8Array(0));
    await ensureTestModel(dir);
    assertEquals(await Deno.readFile(files.bpe), await Deno.readFile(TEST_BPE_PATH));
  }));
