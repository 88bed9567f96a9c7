/**
 * What `deno task embed` computes: CLIP token ids, image and text features (projected, not normalised) and
 * logits_per_image, as OpenAI's `model.encode_image` / `encode_text` / `model(image, text)` give them.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type GrayImage, toModelInput } from "../data/mod.ts";
import type { ModelBundle } from "./bundle.ts";

/** Images encoded per forward pass. */
export const EMBED_IMAGE_CHUNK = 16;

/** Token ids up to and including EOT, features `[n, embedDim]`, logits `[nImages, nTexts]`. */
export interface EmbedResult {
  tokens: number[][];
  image_features: number[][];
  text_features: number[][];
  logits_per_image: number[][];
}

/**
 * Encodes `images` (`[nImages]` grey images, any size: resized and normalised as the reference does, `toModelInput`,
 * {@link EMBED_IMAGE_CHUNK} at a time) and `texts` (`[nTexts]`) with `bundle`'s CLIP: token ids, image features
 * `[nImages, embedDim]`, text features `[nTexts, embedDim]` and, when both are given, logits `[nImages, nTexts]`.
 * Frees every tensor it makes; the bundle stays the caller's.
 */
export async function embed(
  bundle: ModelBundle,
  images: readonly GrayImage[],
  texts: readonly string[],
): Promise<EmbedResult> {
  const { clip, tokenizer } = bundle;
  const ids = texts.length > 0 ? tokenizer.tokenize([...texts], { contextLength: clip.config.contextLength }) : [];
  const result: EmbedResult = {
    tokens: ids.map((row) => row.slice(0, row.indexOf(tokenizer.eot) + 1)),
    image_features: [],
    text_features: [],
    logits_per_image: [],
  };
  const imageChunks: tf.Tensor2D[] = [];
  for (let i = 0; i < images.length; i += EMBED_IMAGE_CHUNK) {
    const pixels = toModelInput(
      images.slice(i, i + EMBED_IMAGE_CHUNK),
      clip.config.imageResolution,
      bundle.normalisation,
    );
    imageChunks.push(clip.encodeImage(pixels));
    pixels.dispose();
  }
  const img = imageChunks.length > 0 ? tf.concat(imageChunks, 0) : null;
  const txt = ids.length > 0 ? clip.encodeText(ids) : null;
  // Read asynchronously: webgpu under Deno has no synchronous read.
  if (img) result.image_features = await img.array();
  if (txt) result.text_features = await txt.array();
  if (img && txt) {
    const logits = clip.logits(img, txt);
    result.logits_per_image = await logits.array();
    logits.dispose();
  }
  tf.dispose([...imageChunks, img, txt].filter((t): t is tf.Tensor2D => t !== null));
  return result;
}
