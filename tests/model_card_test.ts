/** The model card factory: `model.json`'s field order, its defaults, and what it refuses; a card reads back as written. */
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InputError } from "../lib/util/mod.ts";
import { CLIP_ARCHS } from "../lib/encoders/clip/mod.ts";
import { makeModelCard, readModelCard } from "../lib/encoders/model_card.ts";
import { NORMALISATION } from "../lib/data/preprocess.ts";
import { join } from "../lib/util/path.ts";

const ARCH = CLIP_ARCHS["ppad-mini"];

Deno.test("makeModelCard: fields in model.json's order, chexzero normalisation and bpe.txt by default", () => {
  const card = makeModelCard("tiny", ARCH, {
    description: "a test",
    training: { steps: 3 },
    extra: { zeroShot: { auroc: 0.5 } },
  });
  assertEquals(Object.keys(card), [
    "name",
    "description",
    "architecture",
    "normalisation",
    "tokenizer",
    "training",
    "zeroShot",
  ]);
  assertEquals(card.normalisation, NORMALISATION.chexzero);
  assertEquals(card.tokenizer, "bpe.txt");
  assertEquals(Object.keys(makeModelCard("bare", ARCH)), ["name", "architecture", "normalisation", "tokenizer"]);
});

Deno.test("makeModelCard: refuses an empty name or tokenizer and a non-positive std", () => {
  assertThrows(() => makeModelCard("", ARCH), TypeError, "name is empty");
  assertThrows(() => makeModelCard("x", ARCH, { tokenizer: "" }), TypeError, "tokenizer file is empty");
  assertThrows(
    () => makeModelCard("x", ARCH, { normalisation: { mean: [0, 0, 0], std: [1, 0, 1] } }),
    RangeError,
    "std must be > 0",
  );
});

Deno.test("makeModelCard: a written card reads back equal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const card = makeModelCard("tiny", ARCH, { training: { steps: 3 } });
    await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify(card));
    assertEquals(await readModelCard(join(dir, "model.safetensors")), card);
    for (
      const [normalisation, message] of [
        [{ mean: [0.5, 0.5, 0.5], std: [0, 0, 0] }, "normalisation.std is not three positive numbers"],
        [{ mean: [0.5, null, 0.5], std: [1, 1, 1] }, "normalisation.mean is not three finite numbers"],
        [undefined, "normalisation is missing"],
      ] as const
    ) {
      await Deno.writeTextFile(join(dir, "model.json"), JSON.stringify({ ...card, normalisation }));
      await assertRejects(() => readModelCard(join(dir, "model.safetensors")), InputError, `model.json: ${message}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
