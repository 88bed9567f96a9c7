import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { initBackend, parseBackend, requestedBackend } from "../lib/backend.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

Deno.test("backend: names are validated, the flag wins over PPAD_BACKEND, wasm is the default", () => {
  assertEquals(parseBackend("webgpu"), "webgpu");
  assertThrows(() => parseBackend("cuda"), InputError, "expected one of wasm, webgpu, cpu, tensorflow");
  const saved = Deno.env.get("PPAD_BACKEND");
  try {
    Deno.env.delete("PPAD_BACKEND");
    assertEquals(requestedBackend(), "wasm");
    Deno.env.set("PPAD_BACKEND", "cpu");
    assertEquals(requestedBackend(), "cpu");
    assertEquals(requestedBackend("wasm"), "wasm");
    Deno.env.set("PPAD_BACKEND", "nope");
    assertThrows(() => requestedBackend(), InputError, "PPAD_BACKEND");
  } finally {
    if (saved === undefined) Deno.env.delete("PPAD_BACKEND");
    else Deno.env.set("PPAD_BACKEND", saved);
  }
});

const tfjsNodeInstalled = await Deno.stat(join(PROJECT_ROOT, "node_modules", "@tensorflow", "tfjs-node-gpu")).then(
  () => true,
  () => false,
);

Deno.test({
  name: "backend: tensorflow without tfjs-node-gpu installed is a one-line error saying how to install it",
  ignore: tfjsNodeInstalled,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const err = await assertRejects(() => initBackend("tensorflow", { quiet: true }), InputError, "not installed");
    assert(err.message.includes("deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu@4.22.0"), err.message);
    assert(!err.message.includes("\n"));
    const cpu = await initBackend("cpu", { quiet: true });
    assertEquals(cpu.name, "cpu");
  },
});

Deno.test({
  name: "backend: a bad --backend flag exits 2 with the error on stderr and nothing on stdout",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(PROJECT_ROOT, "cli/bench.ts"), "--backend", "cuda"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 2);
    assertEquals(new TextDecoder().decode(out.stdout), "");
    assert(new TextDecoder().decode(out.stderr).includes("Cannot use --backend"));
  },
});
