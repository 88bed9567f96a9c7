/**
 * `deno task score`: scores new chest X-rays with learned prompts.
 *
 * Usage: deno task score --model M --prompts P.safetensors --images DIR_OR_FILE [MORE…] [--out scores.csv]
 *        [--overlays DIR] [--scoring paper|mean|max] [--tokenizer BPE] [--preset chexzero|openai]
 *        [--backend B] [--on-bad-image fail|skip] [--batch 16] [--quiet]
 *
 * Reads the prompts' card (`P.json` beside `P.safetensors`), refuses a model other than the one the prompts were trained
 * on, rebuilds the prompt model, and writes `image,score,p_<region>…,error` as CSV: to `--out` (atomically) or to
 * stdout. `--overlays DIR` writes one PNG per image with the per-region probabilities painted over it. Folders are
 * searched recursively for .png/.jpg/.jpeg/.dcm/.dicom. Diagnostics go to stderr.
 * @module
 */
import { initBackend, requestedBackend } from "../lib/backend.ts";
import { loadModelBundle, modelFiles, normalisationFromFlags } from "../lib/encoders/mod.ts";
import { collectImagePaths, parseBadImagePolicy } from "../lib/data/mod.ts";
import { overlayNames, overlayPng } from "../lib/report/mod.ts";
import { promptCardPath } from "../lib/prompts/mod.ts";
import { checkSavedPrompts, parseScoring, scoreSavedPrompts, SCORING_DESCRIPTIONS, SCORINGS } from "../lib/eval/mod.ts";
import {
  basename,
  choiceFlag,
  defineCommand,
  ensureOutDir,
  ensureOutFile,
  InputError,
  isAbsolute,
  join,
  type NamedInput,
  numberFlag,
  parseCommand,
  Progress,
  relative,
  resolve,
  runMain,
  writeFileAtomic,
} from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "score",
  summary: "scores chest X-rays with learned prompts: a CSV of image score and per-region probabilities, and " +
    "optionally one overlay figure per image (regions outlined and labelled, score, decision, legend).",
  flags: {
    model: {
      type: "string",
      arg: "FILE",
      description: "the CLIP checkpoint the prompts were trained on",
      required: true,
    },
    prompts: {
      type: "string",
      arg: "P.safetensors",
      description: "learned prompts (card P.json beside)",
      required: true,
    },
    images: {
      type: "string",
      arg: "PATH",
      multiple: true,
      description: "image file or folder (searched recursively; repeatable; also positional)",
      required: true,
    },
    out: { type: "string", arg: "FILE", description: "CSV output", default: "stdout" },
    overlays: { type: "string", arg: "DIR", description: "write one overlay PNG per image into DIR" },
    scoring: { type: "string", arg: SCORINGS.join("|"), description: "region aggregation", default: "the prompts'" },
    tokenizer: { type: "string", arg: "FILE", description: "BPE merges file", default: "the model's" },
    preset: { type: "string", arg: "chexzero|openai", description: "image normalisation", default: "the prompts'" },
    backend: { type: "string", arg: "B", description: "wasm, webgpu, cpu or tensorflow", default: "wasm" },
    "on-bad-image": { type: "string", arg: "fail|skip", description: "unreadable image handling", default: "fail" },
    batch: { type: "string", arg: "N", description: "images per forward pass (≥ 1)", default: 16 },
    quiet: { type: "boolean", description: "no progress on stderr" },
  },
  positionals: { arg: "[IMAGES…]", description: "more image files or folders" },
  examples: [
    "deno task score --model models/ppad-mini-cxr-real --prompts results/ablate/prompts/P.safetensors --images scans/",
    "deno task score --model M --prompts P.safetensors --images a.png --out scores.csv --overlays overlays/",
  ],
});

/** Runs `deno task score` with `args`: scores images with saved prompts and writes or prints the CSV. */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(COMMAND, args);
  if (typeof values.model !== "string") throw new InputError("Cannot score images: --model is required");
  if (typeof values.prompts !== "string") {
    throw new InputError("Cannot score images: --prompts P.safetensors is required");
  }
  const images = [...(values.images ?? []), ...positionals];
  if (images.length === 0) throw new InputError("Cannot score images: --images DIR_OR_FILE is required");
  const quiet = Boolean(values.quiet);
  const onBadImage = parseBadImagePolicy(values["on-bad-image"] ?? "fail");
  const batch = numberFlag("batch", values.batch, 16, { integer: true, min: 1 });
  choiceFlag("scoring", values.scoring, SCORINGS);
  const promptsPath = resolve(values.prompts);

  // Fail fast, before loading weights: the card must exist and name this checkpoint.
  const { card, modelPath } = await checkSavedPrompts(promptsPath, values.model);
  const paths = await collectImagePaths(images, { action: "score images" });
  // Outputs are checked before any work, and never land on an input.
  const inputs: NamedInput[] = [
    { path: promptsPath, what: "the --prompts file" },
    { path: promptCardPath(promptsPath), what: "the prompts' card" },
    ...await modelFiles(modelPath),
    ...(typeof values.tokenizer === "string"
      ? [{ path: resolve(values.tokenizer), what: "the --tokenizer file" }]
      : []),
    ...paths.map((path) => ({ path, what: "an image to score" })),
  ];
  if (values.out !== undefined) await ensureOutFile(resolve(values.out), "--out", inputs);
  const overlayDir = typeof values.overlays === "string" ? resolve(values.overlays) : null;
  const names = new Map<string, string>(overlayDir ? overlayNames(paths).map((n, i) => [paths[i], n]) : []);
  if (overlayDir) {
    // Overlays inside a folder being scored would be read as X-rays by the next run.
    for (const input of images) {
      const folder = resolve(input);
      const isFolder = await Deno.stat(folder).then((st) => st.isDirectory, () => false);
      const rel = relative(folder, overlayDir);
      if (isFolder && (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel)))) {
        throw new InputError(
          `Cannot write to --overlays ${overlayDir}: it is inside the images folder ${folder}, whose next scoring ` +
            "would read the overlays as X-rays",
        );
      }
    }
    await ensureOutDir(overlayDir, "--overlays");
    for (const name of names.values()) await ensureOutFile(join(overlayDir, name), "--overlays", inputs);
  }
  const scoring = parseScoring((values.scoring as string | undefined) ?? card.spec.scoring ?? "paper");

  await initBackend(requestedBackend(values.backend as string | undefined), { quiet });
  const bundle = await loadModelBundle(values.model, {
    tokenizer: values.tokenizer as string | undefined,
    normalisation: normalisationFromFlags(values.preset as string | undefined),
  });
  const bar = new Progress(paths.length, { label: "score", quiet });
  const result = await scoreSavedPrompts(bundle, promptsPath, card, paths, {
    scoring,
    bundleNormalisation: Boolean(values.preset),
    onBadImage,
    batch,
    onLoaded: ({ regions }) => {
      if (quiet) return;
      console.error(
        `prompts: ${card.spec.variant} on ${card.spec.regions} (${regions.length} regions), trained on ` +
          `${card.dataset} ${card.shots}-shot seed ${card.seed}; scoring ${scoring}; ${paths.length} image(s)`,
      );
    },
    onImage: overlayDir
      ? async (image, r, regions) =>
        await writeFileAtomic(
          join(overlayDir, names.get(r.path)!),
          await overlayPng(image, r.probs, regions, {
            score: r.score,
            scoring: SCORING_DESCRIPTIONS[scoring],
            title: basename(r.path),
            subtitle: `${card.spec.variant} prompts on ${card.spec.regions}, ${card.spec.synthesis} synthesis, ` +
              `${card.shots}-shot seed ${card.seed} (${basename(promptsPath)})`,
          }),
        )
      : undefined,
    onProgress: (done) => bar.tick(done - bar.done),
  });
  bar.finish();
  bundle.clip.dispose();
  for (const s of result.skipped) console.error(`skipped: ${s.reason}`);
  if (typeof values.out === "string") {
    await writeFileAtomic(resolve(values.out), result.csv);
    console.log(
      `scored ${result.scored.length} image(s)${result.skipped.length ? `, skipped ${result.skipped.length}` : ""} → ` +
        `${values.out}` + (overlayDir ? `; overlays in ${overlayDir}` : ""),
    );
  } else {
    await Deno.stdout.write(new TextEncoder().encode(result.csv));
  }
}

if (import.meta.main) runMain(() => main(Deno.args));
