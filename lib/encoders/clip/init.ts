/**
 * OpenAI CLIP's parameter initialisation, for a from-scratch model (pretraining the small default CLIP) and for the
 * benchmark's random ViT-B/32.
 * @module
 */
import type { Rng } from "../../util/mod.ts";
import type { StateDict } from "../state_dict.ts";
import { numel } from "../state_dict.ts";
import { type ClipConfig, expectedShapes } from "./config.ts";

function normal(rng: Rng, n: number, std: number): Float32Array {
  return rng.normalArray(n, 0, std);
}

function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/** PyTorch's default `nn.Linear` / `nn.Conv2d` weight and bias init (kaiming-uniform, a = √5): U(±1/√fan_in). */
function torchDefault(rng: Rng, n: number, fanIn: number): Float32Array {
  return uniform(rng, n, 1 / Math.sqrt(fanIn));
}

/** `nn.init.xavier_uniform_` on a `[out, in]` matrix. */
function xavier(rng: Rng, out: number, inp: number): Float32Array {
  return uniform(rng, out * inp, Math.sqrt(6 / (out + inp)));
}

/**
 * A random CLIP state dict (OpenAI keys, PyTorch layout) initialised as OpenAI's `CLIP.__init__` +
 * `initialize_parameters` + PyTorch module defaults: token embedding N(0, 0.02²), text positional N(0, 0.01²);
 * vision class/positional embedding and `proj` scale·N(0, 1) with scale = width^−½; conv1 and vision blocks PyTorch
 * defaults (MHA in_proj xavier-uniform, zero in_proj/out_proj biases); text blocks in_proj N(0, width^−1),
 * out_proj/c_proj N(0, width^−1·(2·layers)^−1), c_fc N(0, (2·width)^−1); text_projection N(0, width^−1);
 * layer norms weight 1, bias 0; logit_scale = ln(1/0.07). Deterministic for a given `rng` state.
 */
export function initClipStateDict(config: ClipConfig, rng: Rng): StateDict {
  const c = config;
  const sd: StateDict = new Map();
  const shapes = expectedShapes(c);
  const vScale = 1 / Math.sqrt(c.visionWidth);
  const tw = c.textWidth;
  const textStd = {
    attn: 1 / Math.sqrt(tw),
    proj: 1 / Math.sqrt(tw) / Math.sqrt(2 * c.textLayers),
    fc: 1 / Math.sqrt(2 * tw),
  };
  for (const [key, shape] of shapes) {
    const n = numel(shape);
    let data: Float32Array;
    const text = !key.startsWith("visual.");
    const width = text ? tw : c.visionWidth;
    if (key.endsWith("ln_1.weight") || key.endsWith("ln_2.weight") || /ln_(pre|post|final)\.weight$/.test(key)) {
      data = new Float32Array(n).fill(1);
    } else if (/ln_\w+\.bias$/.test(key) || key.endsWith("attn.in_proj_bias") || key.endsWith("attn.out_proj.bias")) {
      data = new Float32Array(n);
    } else if (key === "logit_scale") {
      data = new Float32Array([Math.log(1 / 0.07)]);
    } else if (key === "token_embedding.weight") {
      data = normal(rng, n, 0.02);
    } else if (key === "positional_embedding") {
      data = normal(rng, n, 0.01);
    } else if (key === "text_projection") {
      data = normal(rng, n, 1 / Math.sqrt(tw));
    } else if (key === "visual.class_embedding" || key === "visual.positional_embedding" || key === "visual.proj") {
      data = normal(rng, n, vScale);
    } else if (key === "visual.conv1.weight") {
      data = torchDefault(rng, n, 3 * c.patchSize * c.patchSize);
    } else if (key.endsWith("attn.in_proj_weight")) {
      data = text ? normal(rng, n, textStd.attn) : xavier(rng, 3 * width, width);
    } else if (key.endsWith("attn.out_proj.weight")) {
      data = text ? normal(rng, n, textStd.proj) : torchDefault(rng, n, width);
    } else if (key.endsWith("mlp.c_fc.weight")) {
      data = text ? normal(rng, n, textStd.fc) : torchDefault(rng, n, width);
    } else if (key.endsWith("mlp.c_proj.weight")) {
      data = text ? normal(rng, n, textStd.proj) : torchDefault(rng, n, 4 * width);
    } else if (key.endsWith("mlp.c_fc.bias")) {
      data = torchDefault(rng, n, width);
    } else if (key.endsWith("mlp.c_proj.bias")) {
      data = torchDefault(rng, n, 4 * width);
    } else {
      throw new Error(`Cannot initialise CLIP parameter ${key}: no rule for it`);
    }
    sd.set(key, { shape: shape.slice(), data });
  }
  return sd;
}
