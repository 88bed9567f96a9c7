import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { loadModelBundle, resolveModelPath } from "../lib/encoders/bundle.ts";
import { InputError, join, PROJECT_ROOT } from "../lib/util/mod.ts";
import { initBackend } from "../lib/backend.ts";

const EMBEDDED = join(PROJECT_ROOT, "models/ppad-mini-cxr-synthetic");

Deno.test("resolveModelPath: a model folder stands for its model.safetensors, else its model.pt", async () => {
  assertEquals(resolveModelPath(EMBEDDED), join(EMBEDDED, "model.safetensors"));
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "model.pt"), new Uint8Array(4));
    assertEquals(resolveModelPath(dir), join(dir, "model.pt"));
    await Deno.writeFile(join(dir, "model.safetensors"), new Uint8Array(4));
    assertEquals(resolveModelPath(dir), join(dir, "model.safetensors"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveModelPath: a folder without a checkpoint is an InputError naming it; a missing path is left to the reader", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertThrows(() => resolveModelPath(dir), InputError, `${dir}: a folder without model.safetensors or model.pt`);
    assertEquals(resolveModelPath(join(dir, "nope.pt")), join(dir, "nope.pt"));
    await assertRejects(() => loadModelBundle(join(dir, "nope.pt")), InputError, "nope.pt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModelBundle: a model folder loads the same model as its checkpoint", async () => {
  await initBackend("cpu", { quiet: true });
  const fromFolder = await loadModelBundle(EMBEDDED);
  const fromFile = await loadModelBundle(join(EMBEDDED, "model.safetensors"));
  try {
    assertEquals(fromFolder.path, fromFile.path);
    assertEquals(fromFolder.hash, fromFile.hash);
    assertEquals(fromFolder.card?.name, fromFile.card?.name);
  } finally {
    fromFolder.clip.dispose();
    fromFile.clip.dispose();
  }
});
