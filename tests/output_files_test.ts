import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { ensureOutFile, InputError, join, readFileHead, startsWithBytes, writeFileAtomic } from "../lib/util/mod.ts";
import { writeFileAtomicSync } from "../lib/util/atomic.ts";

Deno.test("ensureOutFile: refuses an output that is one of the command's inputs, under any name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = join(dir, "prompts.safetensors");
    await Deno.writeTextFile(input, "x");
    await Deno.symlink(input, join(dir, "link.safetensors"));
    const inputs = [{ path: input, what: "the --prompts file" }];
    for (const out of [input, join(dir, "link.safetensors"), join(dir, "sub", "..", "prompts.safetensors")]) {
      await Deno.mkdir(join(dir, "sub"), { recursive: true });
      await assertRejects(
        () => ensureOutFile(out, "--out", inputs),
        InputError,
        "it is the --prompts file (left as it is)",
      );
    }
    await ensureOutFile(join(dir, "scores.csv"), "--out", inputs); // a new file
    assertEquals(await Deno.readTextFile(input), "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic: an operating-system error names the target, not its temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "keep");
    // Its parent is a file; the target is a folder.
    await assertRejects(
      () => writeFileAtomic(join(file, "x.csv"), "a"),
      InputError,
      `Cannot write ${join(file, "x.csv")}:`,
    );
    assertThrows(() => writeFileAtomicSync(join(file, "x.csv"), "a"), InputError, "(os error");
    const err = await assertRejects(() => writeFileAtomic(dir, "a"), InputError, `Cannot write ${dir}: `);
    assertEquals(/\.tmp/.test((err as Error).message), false, (err as Error).message);
    assertEquals(await Deno.readTextFile(file), "keep");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a-file"]); // no temporary file left
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readFileHead: the first bytes of a file, fewer when shorter, null for a folder or nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "f.bin");
    await Deno.writeFile(file, Uint8Array.from([1, 2, 3]));
    assertEquals(await readFileHead(file, 2), Uint8Array.from([1, 2]));
    assertEquals(await readFileHead(file, 8), Uint8Array.from([1, 2, 3]));
    assertEquals(await readFileHead(dir, 8), null);
    assertEquals(await readFileHead(join(dir, "none"), 8), null);
    assertEquals([startsWithBytes(Uint8Array.from([1, 2, 3]), [1, 2]), startsWithBytes(Uint8Array.from([1]), [1, 2])], [
      true,
      false,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
