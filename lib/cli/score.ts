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
import { initBackend, requestedBackend } from "../backend.ts";
import { loadModelBundle, normalisationFromFlags, resolveModelPath, shortHash } from "../encoders/bundle.ts";
import { parseBadImagePolicy } from "../data/datasets/mod.ts";
import {
  collectImagePaths,
  loadPromptModel,
  overlayNames,
  overlayPng,
  readPromptCard,
  requireSameModel,
  scoreImages,
  scoresCsv,
} from "../eval/score_images.ts";
import { parseScoring } from "../eval/scoring.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { numberFlag, parseCli } from "../util/cli.ts";
import { InputError, runMain } from "../util/errors.ts";
import { join, resolve } from "../util/path.ts";
import { Progress } from "../util/progress.ts";

const USAGE = "usage: deno task score --model M --prompts P.safetensors --images DIR_OR_FILE [MORE…] " +
  "[--out scores.csv] [--overlays DIR] [--scoring paper|mean|max] [--tokenizer BPE] [--backend B] " +
  "[--on-bad-image fail|skip]";

await runMain(async () => {
  const { values, positionals } = parseCli("score", Deno.args, {
    model: { type: "string" },
    prompts: { type: "string" },
    images: { type: "string", multiple: true },
    out: { type: "string" },
    overlays: { type: "string" },
    scoring: { type: "string" },
    tokenizer: { type: "string" },
    preset: { type: "string" },
    backend: { type: "string" },
    "on-bad-image": { type: "string" },
    batch: { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (typeof values.model !== "string") throw new InputError("Cannot score images: --model is required");
  if (typeof values.prompts !== "string") {
    throw new InputError("Cannot score images: --prompts P.safetensors is required");
  }
  const images = [...((values.images as string[] | undefined) ?? []), ...positionals];
  if (images.length === 0) throw new InputError("Cannot score images: --images DIR_OR_FILE is required");
  const quiet = Boolean(values.quiet);
  const onBadImage = parseBadImagePolicy((values["on-bad-image"] as string | undefined) ?? "fail");
  const batch = numberFlag("batch", values.batch, 16, { integer: true, min: 1 });
  const promptsPath = resolve(values.prompts);

  // Fail fast, before loading weights: the card must exist and name this checkpoint.
  const card = await readPromptCard(promptsPath);
  const modelPath = resolveModelPath(values.model);
  let modelBytes: Uint8Array;
  try {
    modelBytes = await Deno.readFile(modelPath);
  } catch (err) {
    throw new InputError(`Cannot read model ${modelPath}: ${(err as Error).message.split("\n")[0]}`);
  }
  requireSameModel(card, await shortHash(modelBytes), modelPath, promptsPath);
  const paths = await collectImagePaths(images);
  const scoring = parseScoring((values.scoring as string | undefined) ?? card.spec.scoring ?? "paper");

  await initBackend(requestedBackend(values.backend as string | undefined), { quiet });
  const bundle = await loadModelBundle(values.model, {
    tokenizer: values.tokenizer as string | undefined,
    normalisation: normalisationFromFlags(values.preset as string | undefined),
  });
  const normalisation = values.preset ? bundle.normalisation : card.normalisation ?? bundle.normalisation;
  const { model } = await loadPromptModel(bundle, promptsPath, card);
  const regions = model.regions.regions;
  if (!quiet) {
    console.error(
      `prompts: ${card.spec.variant} on ${card.spec.regions} (${regions.length} regions), trained on ${card.dataset} ` +
        `${card.shots}-shot seed ${card.seed}; scoring ${scoring}; ${paths.length} image(s)`,
    );
  }
  const overlayDir = typeof values.overlays === "string" ? resolve(values.overlays) : null;
  const names = overlayDir ? new Map(overlayNames(paths).map((n, i) => [paths[i], n])) : null;
  const bar = new Progress(paths.length, { label: "score", quiet });
  const { scored, skipped } = await scoreImages(model, paths, {
    normalisation,
    scoring,
    onBadImage,
    batch,
    onImage: overlayDir && names
      ? (image, r) => writeFileAtomic(join(overlayDir, names.get(r.path)!), overlayPng(image, r.probs, regions))
      : undefined,
    onProgress: (done) => bar.tick(done - bar.done),
  });
  bar.finish();
  model.dispose();
  bundle.clip.dispose();
  for (const s of skipped) console.error(`skipped: ${s.reason}`);
  const csv = scoresCsv(scored, skipped, regions.map((r) => r.name));
  if (typeof values.out === "string") {
    await writeFileAtomic(resolve(values.out), csv);
    console.log(
      `scored ${scored.length} image(s)${skipped.length ? `, skipped ${skipped.length}` : ""} → ${values.out}` +
        (overlayDir ? `; overlays in ${overlayDir}` : ""),
    );
  } else {
    await Deno.stdout.write(new TextEncoder().encode(csv));
  }
});
