/** `deno task embed` end to end: spawned as a user runs it, JSON parsed and compared with the reference outputs. */
import { assert, assertEquals } from "./assert.ts";
import { dirname, join, PROJECT_ROOT } from "../lib/util/path.ts";
import { CLIP_BPE, PARITY_FIXTURE_DIR as DIR, PARITY_MODEL, PARITY_REFERENCE, sharedTest } from "../testing/shared.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

async function embed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "cli", "embed.ts"), ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PPAD_BACKEND: "wasm" },
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0, na = 0, nb = 0;
  a.forEach((x, i) => (dot += x * b[i], na += x * x, nb += b[i] * b[i]));
  return dot / Math.sqrt(na * nb);
}

sharedTest({
  needs: [PARITY_MODEL, PARITY_REFERENCE, join(DIR, "image.png"), CLIP_BPE],
  why: "parity with OpenAI's reference outputs",
}, {
  name: "embed --json: tokens, features and logits of the fixture match the reference implementation",
  fn: async () => {
    const ref = JSON.parse(await Deno.readTextFile(join(DIR, "reference.json")));
    const texts: string[] = ref.tokens.slice(0, 4).map((t: { text: string }) => t.text);
    const res = await embed([
      "--model",
      PARITY_MODEL,
      "--preset",
      "chexzero",
      "--image",
      join(DIR, "image.png"),
      ...texts.flatMap((t) => ["--text", t]),
      "--json",
    ]);
    assertEquals(res.code, 0, res.stderr);
    assert(res.stderr.includes("backend: wasm"), "the backend line goes to stderr");
    const out = JSON.parse(res.stdout);
    assertEquals(Object.keys(out), ["tokens", "image_features", "text_features", "logits_per_image"]);
    assertEquals(out.tokens, ref.tokens.slice(0, 4).map((t: { ids: number[] }) => t.ids));
    assertEquals(out.image_features.length, 1);
    assert(cosine(out.image_features[0], ref.image_features) >= 0.99999);
    out.text_features.forEach((f: number[], i: number) => assert(cosine(f, ref.text_features[i]) >= 0.99999));
    assertEquals(out.logits_per_image.length, 1);
    out.logits_per_image[0].forEach((v: number, i: number) => assert(Math.abs(v - ref.logits_per_image[i]) < 1e-3));
  },
});

Deno.test({
  name: "embed: bad input is a one-line error and exit code 2",
  fn: async () => {
    const res = await embed(["--model", TEST_MODEL_PATH, "--image", join(dirname(TEST_MODEL_PATH), "missing.png")]);
    assertEquals(res.code, 2);
    assertEquals(res.stdout, "");
    assert(res.stderr.includes("missing.png"), res.stderr);
    const both = await embed(["--model", TEST_MODEL_PATH, "--preset", "openai", "--mean", "0.5", "--std", "0.2"]);
    assertEquals(both.code, 2);
  },
});
