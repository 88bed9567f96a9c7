/**
 * Key maps between Hugging Face `CLIPModel` state dicts and OpenAI CLIP's. HF splits attention's packed
 * `in_proj_weight [3·width, width]` into `q/k/v_proj.weight [width, width]` (and biases), stores the projections as
 * `nn.Linear` weights `[embed, width]` where OpenAI keeps `proj`/`text_projection` as `[width, embed]` matrices, and
 * renames the rest one to one (`pre_layrnorm` is HF's spelling). Both maps refuse keys they do not know.
 * @module
 */
import { InputError } from "../../util/mod.ts";
import type { HostTensor, StateDict } from "../state_dict.ts";

/** Per-block renames, OpenAI suffix → HF suffix. */
const BLOCK_RENAMES: readonly (readonly [string, string])[] = [
  ["ln_1.weight", "layer_norm1.weight"],
  ["ln_1.bias", "layer_norm1.bias"],
  ["ln_2.weight", "layer_norm2.weight"],
  ["ln_2.bias", "layer_norm2.bias"],
  ["mlp.c_fc.weight", "mlp.fc1.weight"],
  ["mlp.c_fc.bias", "mlp.fc1.bias"],
  ["mlp.c_proj.weight", "mlp.fc2.weight"],
  ["mlp.c_proj.bias", "mlp.fc2.bias"],
  ["attn.out_proj.weight", "self_attn.out_proj.weight"],
  ["attn.out_proj.bias", "self_attn.out_proj.bias"],
];

/** Top-level renames, OpenAI key → HF key (tensors unchanged). */
const TOP_RENAMES: readonly (readonly [string, string])[] = [
  ["visual.class_embedding", "vision_model.embeddings.class_embedding"],
  ["visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight"],
  ["visual.positional_embedding", "vision_model.embeddings.position_embedding.weight"],
  ["visual.ln_pre.weight", "vision_model.pre_layrnorm.weight"],
  ["visual.ln_pre.bias", "vision_model.pre_layrnorm.bias"],
  ["visual.ln_post.weight", "vision_model.post_layernorm.weight"],
  ["visual.ln_post.bias", "vision_model.post_layernorm.bias"],
  ["token_embedding.weight", "text_model.embeddings.token_embedding.weight"],
  ["positional_embedding", "text_model.embeddings.position_embedding.weight"],
  ["ln_final.weight", "text_model.final_layer_norm.weight"],
  ["ln_final.bias", "text_model.final_layer_norm.bias"],
  ["logit_scale", "logit_scale"],
];

/** Projection matrices, OpenAI `[width, embed]` ↔ HF Linear weight `[embed, width]`. */
const TRANSPOSED: readonly (readonly [string, string])[] = [
  ["visual.proj", "visual_projection.weight"],
  ["text_projection", "text_projection.weight"],
];

/** Buffers HF may save that carry no weights (`position_ids`) and OpenAI JIT scalars: dropped by the maps. */
const DROPPED_HF = new Set(["vision_model.embeddings.position_ids", "text_model.embeddings.position_ids"]);
const DROPPED_OPENAI = new Set(["input_resolution", "context_length", "vocab_size"]);

/** The two towers: OpenAI block prefix ↔ HF layer prefix. */
const TOWERS: readonly (readonly [string, string])[] = [
  ["visual.transformer.resblocks.", "vision_model.encoder.layers."],
  ["transformer.resblocks.", "text_model.encoder.layers."],
];

/** True when `sd` uses HF CLIPModel key names. */
export function isHfClipStateDict(sd: StateDict): boolean {
  for (const k of sd.keys()) {
    if (k.startsWith("vision_model.") || k.startsWith("text_model.") || k === "visual_projection.weight") return true;
  }
  return false;
}

/** Transposes a 2-D tensor. `[r, c]` → `[c, r]`. */
function _transpose(t: HostTensor, key: string): HostTensor {
  if (t.shape.length !== 2) throw new InputError(`Cannot transpose ${key}: shape [${t.shape}] is not 2-D`);
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  }
  return { shape: [c, r], data: out };
}

/** Splits a tensor in three equal parts along dim 0. `[3n, …]` → 3 × `[n, …]`. */
function _split3(t: HostTensor, key: string): HostTensor[] {
  if (t.shape.length < 1 || t.shape[0] % 3 !== 0) {
    throw new InputError(`Cannot split ${key} into q/k/v: first dimension of [${t.shape}] is not a multiple of 3`);
  }
  const part = t.data.length / 3;
  const shape = [t.shape[0] / 3, ...t.shape.slice(1)];
  return [0, 1, 2].map((i) => ({ shape: [...shape], data: t.data.slice(i * part, (i + 1) * part) }));
}

/** Concatenates tensors along dim 0 (trailing dims must agree). */
function _concat(parts: HostTensor[], key: string): HostTensor {
  const tail = JSON.stringify(parts[0].shape.slice(1));
  if (!parts.every((p) => p.shape.length === parts[0].shape.length && JSON.stringify(p.shape.slice(1)) === tail)) {
    throw new InputError(
      `Cannot build ${key} from q/k/v: shapes ${parts.map((p) => `[${p.shape}]`).join(", ")} differ`,
    );
  }
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { shape: [parts.reduce((n, p) => n + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

/**
 * Maps an OpenAI CLIP state dict to HF `CLIPModel` names (q/k/v split, projections transposed). Tensors not changed
 * in layout are shared, not copied. Unknown keys throw an `InputError` naming them.
 */
export function openaiToHf(sd: StateDict): StateDict {
  const top = new Map(TOP_RENAMES);
  const transposed = new Map(TRANSPOSED);
  const out: StateDict = new Map();
  for (const [key, t] of sd) {
    if (DROPPED_OPENAI.has(key)) continue;
    if (top.has(key)) {
      out.set(top.get(key)!, t);
      continue;
    }
    if (transposed.has(key)) {
      out.set(transposed.get(key)!, _transpose(t, key));
      continue;
    }
    const tower = TOWERS.find(([o]) => key.startsWith(o));
    const m = tower && /^(\d+)\.(.+)$/.exec(key.slice(tower[0].length));
    if (tower && m) {
      const [, layer, suffix] = m;
      const base = `${tower[1]}${layer}.`;
      const rename = BLOCK_RENAMES.find(([o]) => o === suffix);
      if (rename) {
        out.set(base + rename[1], t);
        continue;
      }
      if (suffix === "attn.in_proj_weight" || suffix === "attn.in_proj_bias") {
        const kind = suffix.endsWith("weight") ? "weight" : "bias";
        const [q, k, v] = _split3(t, key);
        out.set(`${base}self_attn.q_proj.${kind}`, q);
        out.set(`${base}self_attn.k_proj.${kind}`, k);
        out.set(`${base}self_attn.v_proj.${kind}`, v);
        continue;
      }
    }
    throw new InputError(`Cannot map OpenAI key ${key}: no HF CLIPModel counterpart`);
  }
  return out;
}

/**
 * Maps an HF `CLIPModel` state dict to OpenAI CLIP names (q/k/v concatenated into `in_proj`, projections transposed,
 * `position_ids` buffers dropped). Unknown keys, or a q/k/v set with a member missing, throw an `InputError`.
 */
export function hfToOpenai(sd: StateDict): StateDict {
  const top = new Map(TOP_RENAMES.map(([o, h]) => [h, o]));
  const transposed = new Map(TRANSPOSED.map(([o, h]) => [h, o]));
  const out: StateDict = new Map();
  const qkv = new Map<string, Partial<Record<"q" | "k" | "v", HostTensor>>>();
  for (const [key, t] of sd) {
    if (DROPPED_HF.has(key)) continue;
    if (top.has(key)) {
      out.set(top.get(key)!, t);
      continue;
    }
    if (transposed.has(key)) {
      out.set(transposed.get(key)!, _transpose(t, key));
      continue;
    }
    const tower = TOWERS.find(([, h]) => key.startsWith(h));
    const m = tower && /^(\d+)\.(.+)$/.exec(key.slice(tower[1].length));
    if (tower && m) {
      const [, layer, suffix] = m;
      const base = `${tower[0]}${layer}.`;
      const rename = BLOCK_RENAMES.find(([, h]) => h === suffix);
      if (rename) {
        out.set(base + rename[0], t);
        continue;
      }
      const p = /^self_attn\.([qkv])_proj\.(weight|bias)$/.exec(suffix);
      if (p) {
        const target = `${base}attn.in_proj_${p[2]}`;
        const slot = qkv.get(target) ?? {};
        slot[p[1] as "q" | "k" | "v"] = t;
        qkv.set(target, slot);
        if (!out.has(target)) out.set(target, t); // placeholder keeps key order; replaced below
        continue;
      }
    }
    throw new InputError(`Cannot map HF key ${key}: no OpenAI CLIP counterpart`);
  }
  for (const [target, { q, k, v }] of qkv) {
    if (!q || !k || !v) {
      const missing = (["q", "k", "v"] as const).filter((x) => !({ q, k, v })[x]).join(", ");
      throw new InputError(`Cannot build ${target}: HF ${missing}_proj missing`);
    }
    out.set(target, _concat([q, k, v], target));
  }
  return out;
}
