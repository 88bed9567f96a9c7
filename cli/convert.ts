/**
 * `deno task convert IN OUT.safetensors [--dtype float32|float16] [--hf]`: converts a CLIP checkpoint (PyTorch zip
 * `.pt`, as CheXzero publishes, or safetensors; OpenAI or HF key names) to safetensors with OpenAI key names (or HF
 * CLIPModel names with `--hf`). OUT is written atomically; its `__metadata__` records the source file and sha256.
 * @module
 */
import {
  basename,
  choiceFlag,
  defineCommand,
  ensureOutFile,
  InputError,
  parseCommand,
  readFileHead,
  resolve,
  runMain,
  usageLine,
} from "../lib/util/mod.ts";
import { looksLikeSafetensors, openaiToHf, parseStateDict, writeSafetensors } from "../lib/encoders/mod.ts";

/** Version string written to `__metadata__.converter`. */
export const CONVERTER_VERSION = "ppad-convert/1";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "convert",
  summary: "converts a CLIP checkpoint (PyTorch zip .pt as CheXzero publishes, or safetensors; OpenAI or HF key " +
    "names) to safetensors with OpenAI key names (or Hugging Face CLIPModel names with --hf), written atomically.",
  flags: {
    dtype: { type: "string", arg: "float32|float16", description: "stored float type", default: "float32" },
    hf: { type: "boolean", description: "write Hugging Face CLIPModel key names" },
  },
  positionals: { arg: "IN OUT.safetensors", description: "the checkpoint to read and the file to write" },
  examples: ["deno task convert chexzero.pt chexzero.safetensors", "deno task convert in.pt out.safetensors --hf"],
});
const USAGE = `usage: ${usageLine(COMMAND)}`;

/** Hex sha256 of `bytes`. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs the conversion for command-line `args`; prints a one-line summary on stdout. */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  if (positionals.length !== 2) throw new InputError(`Cannot parse convert arguments: expected IN and OUT. ${USAGE}`);
  const [input, output] = positionals;
  const dtype = choiceFlag("dtype", values.dtype, ["float32", "float16"] as const, "float32");
  if (resolve(input) === resolve(output)) throw new InputError(`Cannot convert ${input}: OUT is the same file as IN`);
  await ensureOutFile(resolve(output), "OUT", [{ path: resolve(input), what: "the same file as IN" }]);
  // OUT may replace an earlier conversion, never another kind of file.
  const existing = await readFileHead(output, 16);
  if (existing && !looksLikeSafetensors(existing)) {
    throw new InputError(`Cannot write to OUT ${output}: it holds another file, not a safetensors checkpoint`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(input);
  } catch (err) {
    throw new InputError(`Cannot read ${input}: ${(err as Error).message.split("\n")[0]}`);
  }
  const t0 = performance.now();
  const openai = parseStateDict(bytes, input);
  const sd = values.hf ? openaiToHf(openai) : openai;
  const metadata: Record<string, string> = {
    format: "pt", // what HF transformers expects of a PyTorch-origin safetensors file
    keys: values.hf ? "hf-clip" : "openai-clip",
    source: basename(input),
    source_sha256: await sha256Hex(bytes),
    converter: CONVERTER_VERSION,
    dtype,
    tensor_count: String(sd.size),
  };
  await writeSafetensors(output, sd, { dtype, metadata });
  const params = [...sd.values()].reduce((n, t) => n + t.data.length, 0);
  console.error(
    `converted ${sd.size} tensors (${params.toLocaleString("en-US")} values) in ${
      (performance.now() - t0).toFixed(0)
    } ms`,
  );
  console.log(`${output}\t${sd.size} tensors\t${dtype}\t${metadata.keys}`);
}

if (import.meta.main) runMain(() => main(Deno.args));
