/**
 * `deno task embed [--model FILE] [--preset chexzero|openai | --mean M --std S] [--image PATH]... [--text "..."]...
 * [--json] [--backend B] [--tokenizer FILE]`: CLIP token ids, image features, text features (projected, not
 * normalised) and logits_per_image, as OpenAI's `model.encode_image` / `encode_text` / `model(image, text)` give them.
 * Without `--model`, the embedded default model. Diagnostics go to stderr; stdout holds only the result, with `--json`
 * one object `{"tokens", "image_features", "text_features", "logits_per_image"}` (tokens without the padding).
 * @module
 */
import { initBackend, requestedBackend } from "../lib/backend.ts";
import { embed, type EmbedResult, loadModelBundle, normalisationFromFlags } from "../lib/encoders/mod.ts";
import { readImage } from "../lib/data/mod.ts";
import { defineCommand, InputError, parseCommand, runMain, usageLine } from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "embed",
  summary: "prints CLIP token ids, image features, text features (projected, not normalised) and logits_per_image, " +
    "as OpenAI's encode_image / encode_text / model(image, text) give them.",
  flags: {
    model: { type: "string", arg: "FILE", description: "CLIP checkpoint", default: "models/ppad-mini-cxr-real" },
    preset: { type: "string", arg: "chexzero|openai", description: "image normalisation", default: "the model's" },
    mean: { type: "string", arg: "M", description: "normalisation mean (with --std), e.g. 0.5 or r,g,b" },
    std: { type: "string", arg: "S", description: "normalisation std (with --mean)" },
    image: { type: "string", arg: "PATH", multiple: true, description: "image to encode (repeatable)" },
    text: { type: "string", arg: "TEXT", multiple: true, description: "text to encode (repeatable)" },
    json: { type: "boolean", description: "print one JSON object on stdout" },
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
    tokenizer: { type: "string", arg: "FILE", description: "BPE merges file", default: "the model's" },
  },
  examples: [
    'deno task embed --text "no acute cardiopulmonary process."',
    "deno task embed --model chexzero.pt --preset chexzero --image cxr.png --text normal. --text pneumonia. --json",
  ],
});
const USAGE = usageLine(COMMAND);

/** What `embed` prints (lib/encoders/embed.ts). */
export type { EmbedResult };

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function formatRow(values: readonly number[]): string {
  return values.map((v) => Number(v.toPrecision(7)).toString()).join(" ");
}

/** Runs `deno task embed` with `args`: prints token ids, image/text features and logits (or one JSON object). */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const images = strings(values.image);
  const texts = strings(values.text);
  if (images.length === 0 && texts.length === 0) {
    throw new InputError(`Cannot embed: give --image or --text (${USAGE})`);
  }
  const preset = values.preset as string | undefined, mean = values.mean as string | undefined;
  const std = values.std as string | undefined;
  if (preset !== undefined && (mean !== undefined || std !== undefined)) {
    throw new InputError("Cannot use --preset together with --mean/--std: pick one");
  }
  if ((mean === undefined) !== (std === undefined)) {
    throw new InputError("Cannot use --mean without --std (or --std without --mean)");
  }
  const normalisation = normalisationFromFlags(preset, mean, std);

  await initBackend(requestedBackend(values.backend as string | undefined));
  const bundle = await loadModelBundle(values.model as string | undefined, {
    normalisation,
    tokenizer: values.tokenizer as string | undefined,
  });
  const { clip } = bundle;
  console.error(
    `model: ${bundle.path} (${bundle.hash}), normalisation mean ${bundle.normalisation.mean.join("/")} std ${
      bundle.normalisation.std.join("/")
    }`,
  );

  const decoded = await Promise.all(images.map((p) => readImage(p)));
  const result = await embed(bundle, decoded, texts);
  clip.dispose();

  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const out: string[] = [];
  if (texts.length > 0) {
    out.push("tokens:");
    texts.forEach((t, i) => out.push(`  ${JSON.stringify(t)}: ${result.tokens[i].join(" ")}`));
  }
  if (images.length > 0) {
    out.push(`image_features [${images.length}, ${clip.config.embedDim}]:`);
    images.forEach((p, i) => out.push(`  ${p}: ${formatRow(result.image_features[i])}`));
  }
  if (texts.length > 0) {
    out.push(`text_features [${texts.length}, ${clip.config.embedDim}]:`);
    texts.forEach((t, i) => out.push(`  ${JSON.stringify(t)}: ${formatRow(result.text_features[i])}`));
  }
  if (images.length > 0 && texts.length > 0) {
    out.push(`logits_per_image [${images.length}, ${texts.length}]:`);
    images.forEach((p, i) => out.push(`  ${p}: ${formatRow(result.logits_per_image[i])}`));
  }
  console.log(out.join("\n"));
}

if (import.meta.main) runMain(() => main(Deno.args));
