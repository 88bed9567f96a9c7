/**
 * Parity with the reference OpenAI implementation on the shared fixture (a small CLIP in CheXzero's published format),
 * through three checkpoint paths (`.pt`, converted safetensors, HF-keyed safetensors) and on each backend.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./assert.ts";
import { type BackendName, hasWebgpuAdapter, initBackend } from "../lib/backend.ts";
import { ClipModel } from "../lib/encoders/clip/mod.ts";
import { loadStateDict, openaiToHf, writeSafetensors } from "../lib/encoders/checkpoint/mod.ts";
import { BpeTokenizer, DEFAULT_CLIP_BPE_PATH } from "../lib/encoders/tokenizer.ts";
import { readImage } from "../lib/data/image.ts";
import { toModelInput } from "../lib/data/preprocess.ts";
import { join, SHARED_DIR } from "../lib/util/path.ts";
import type { StateDict } from "../lib/encoders/state_dict.ts";

const DIR = join(SHARED_DIR, "fixtures", "openai-clip-mini");
const present = (() => {
  try {
    for (const f of ["model.pt", "reference.json", "image.png"]) Deno.statSync(join(DIR, f));
    Deno.statSync(DEFAULT_CLIP_BPE_PATH);
    return true;
  } catch {
    console.warn(`skipping CLIP parity tests: the fixture ${DIR} or ${DEFAULT_CLIP_BPE_PATH} is absent`);
    return false;
  }
})();

interface Reference {
  preset: string;
  tokens: { text: string; ids: number[] }[];
  image_features: number[];
  text_features: number[][];
  logits_per_image: number[];
}

/** Cosine ≥ 0.99999 and max abs error ≤ 1e-3·max|ref|. */
function assertClose(name: string, actual: ArrayLike<number>, expected: readonly number[]): void {
  assertEquals(actual.length, expected.length, `${name}: length`);
  let dot = 0, na = 0, nb = 0, maxErr = 0, maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    dot += a * b;
    na += a * a;
    nb += b * b;
    maxErr = Math.max(maxErr, Math.abs(a - b));
    maxRef = Math.max(maxRef, Math.abs(b));
  }
  const cos = dot / Math.sqrt(na * nb);
  assert(cos >= 0.99999, `${name}: cosine ${cos} < 0.99999`);
  assert(maxErr <= 1e-3 * maxRef, `${name}: max abs error ${maxErr} > 1e-3·${maxRef}`);
}

interface Fixture {
  ref: Reference;
  ids: number[][];
  paths: [string, StateDict][];
  tmp: string;
}

let fixture: Fixture | null = null;

async function load(): Promise<Fixture> {
  if (fixture) return fixture;
  const ref = JSON.parse(await Deno.readTextFile(join(DIR, "reference.json"))) as Reference;
  const tok = await BpeTokenizer.fromFile(DEFAULT_CLIP_BPE_PATH);
  const ids = tok.tokenize(ref.tokens.map((t) => t.text));
  const pt = await loadStateDict(join(DIR, "model.pt"));
  const tmp = await Deno.makeTempDir({ prefix: "clip_parity_" });
  const st = join(tmp, "model.safetensors");
  const hf = join(tmp, "hf.safetensors");
  await writeSafetensors(st, pt, { dtype: "float32" });
  await writeSafetensors(hf, openaiToHf(pt), { dtype: "float32" });
  fixture = {
    ref,
    ids,
    tmp,
    paths: [["model.pt", pt], ["safetensors", await loadStateDict(st)], ["HF safetensors", await loadStateDict(hf)]],
  };
  return fixture;
}

Deno.test({
  name: "CLIP fixture: token ids match the reference tokenizer output",
  ignore: !present,
  fn: async () => {
    const { ref, ids } = await load();
    ids.forEach((row, i) => {
      const eot = row.indexOf(49407);
      assertEquals(row.slice(0, eot + 1), ref.tokens[i].ids, ref.tokens[i].text);
      assert(row.slice(eot + 1).every((v) => v === 0), "zero padding after EOT");
    });
  },
});

async function parity(backend: BackendName, t: Deno.TestContext): Promise<void> {
  await initBackend(backend, { quiet: true });
  const { ref, ids, paths } = await load();
  assertEquals(ref.preset, "chexzero");
  const pixels = toModelInput([await readImage(join(DIR, "image.png"))], 224, "chexzero");
  for (const [label, sd] of paths) {
    await t.step(`${backend}: ${label}`, async () => {
      const model = ClipModel.fromStateDict(sd, { source: label });
      try {
        const before = tf.memory().numTensors;
        const [img, txt, logits] = tf.tidy(() => {
          const i = model.encodeImage(pixels), x = model.encodeText(ids);
          return [i, x, model.logits(i, x)];
        });
        // Asynchronous reads: webgpu under Deno has no synchronous GPU → CPU path.
        assertClose("image features", await img.data(), ref.image_features);
        assertClose("text features", await txt.data(), ref.text_features.flat());
        assertClose("logits per image", await logits.data(), ref.logits_per_image);
        tf.dispose([img, txt, logits]);
        // Only the lazily prepared frozen weights remain.
        assert(tf.memory().numTensors - before <= 200, "no activations left behind");
      } finally {
        model.dispose();
      }
    });
  }
  pixels.dispose();
}

Deno.test({ name: "CLIP fixture parity on cpu", ignore: !present, fn: (t) => parity("cpu", t) });
Deno.test({ name: "CLIP fixture parity on wasm", ignore: !present, fn: (t) => parity("wasm", t) });

// Runs wherever Deno finds a WebGPU adapter (here a software llvmpipe adapter: about 1 s); PPAD_TEST_WEBGPU=0 skips it.
const webgpu = present && Deno.env.get("PPAD_TEST_WEBGPU") !== "0" && await hasWebgpuAdapter();
if (present && !webgpu) console.warn("skipping webgpu parity: no WebGPU adapter (or PPAD_TEST_WEBGPU=0)");
Deno.test({ name: "CLIP fixture parity on webgpu", ignore: !webgpu, fn: (t) => parity("webgpu", t) });

Deno.test({
  name: "CLIP fixture: cleanup",
  ignore: !present,
  fn: async () => {
    if (fixture) await Deno.remove(fixture.tmp, { recursive: true });
    fixture = null;
    await initBackend("cpu", { quiet: true });
  },
});
