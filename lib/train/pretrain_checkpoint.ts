/**
 * Resumable pretraining checkpoints: the model's weights, AdamW's moments (keyed by the variable's index, since tfjs
 * variable names change between processes) and a JSON state whose `key` must match the run being resumed.
 * @module
 */
import { ClipModel, readSafetensors, writeSafetensors } from "../encoders/mod.ts";
import { join, writeFileAtomic } from "../util/mod.ts";
import type { AdamW } from "./optimizer.ts";

/** What a checkpoint records besides tensors. */
export interface CheckpointState<K, E> {
  /** The run's identity (settings that change the result); a checkpoint of another key is not resumed. */
  key: K;
  stepsDone: number;
  /** Every step's loss so far. */
  losses: number[];
  /** Evaluations so far (e.g. held-out AUROC every N steps). */
  evals: E[];
  /** Seconds of training so far, over all sittings. */
  seconds: number;
}

/**
 * The files of a checkpoint in `dir`: weights, optimizer moments, state, and the run's BPE merges (moved to
 * `bpe.txt` with the finished weights).
 */
export function checkpointFiles(dir: string): { model: string; optimizer: string; state: string; merges: string } {
  return {
    model: join(dir, "checkpoint.safetensors"),
    optimizer: join(dir, "checkpoint-optimizer.safetensors"),
    state: join(dir, "checkpoint.json"),
    merges: join(dir, "checkpoint-bpe.txt"),
  };
}

/** Writes a checkpoint (weights, optimizer moments, state), each file atomically, the state last. */
export async function saveCheckpoint<K, E>(
  dir: string,
  model: ClipModel,
  optimizer: AdamW,
  state: CheckpointState<K, E>,
): Promise<void> {
  const files = checkpointFiles(dir);
  await writeSafetensors(files.model, model.toStateDict());
  const index = new Map(model.variables.map((x, i) => [x.name, String(i)]));
  const moments = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of optimizer.state()) {
    const [kind, ...rest] = k.split("/");
    moments.set(`${kind}/${index.get(rest.join("/"))}`, t);
  }
  await writeSafetensors(files.optimizer, moments);
  await writeFileAtomic(files.state, JSON.stringify(state));
}

/** The state of the checkpoint in `dir`: null when there is none, `"unreadable"` when its file does not parse. */
export async function readCheckpointState<K, E>(dir: string): Promise<CheckpointState<K, E> | "unreadable" | null> {
  const text = await Deno.readTextFile(checkpointFiles(dir).state).catch(() => null);
  if (text === null) return null;
  try {
    const state = JSON.parse(text);
    return state !== null && typeof state === "object" ? state as CheckpointState<K, E> : "unreadable";
  } catch {
    return "unreadable";
  }
}

/** Whether a checkpoint's state belongs to the run whose key is `key` (JSON equality). */
export function isRunCheckpoint<K, E>(state: CheckpointState<K, E> | "unreadable" | null, key: K): boolean {
  return state !== null && state !== "unreadable" && JSON.stringify(state.key) === JSON.stringify(key);
}

/**
 * Loads the checkpoint in `dir` when its key equals `key` (JSON equality): the trainable model with `optimizer`
 * restored in place, or null (no checkpoint, another run's, or unreadable state).
 */
export async function loadCheckpoint<K, E>(
  dir: string,
  key: K,
  optimizer: AdamW,
): Promise<{ model: ClipModel; state: CheckpointState<K, E> } | null> {
  const files = checkpointFiles(dir);
  const state = await readCheckpointState<K, E>(dir);
  if (state === null || state === "unreadable" || !isRunCheckpoint(state, key)) return null;
  const weights = await readSafetensors(files.model);
  const model = ClipModel.fromStateDict(weights.tensors, { trainable: true, source: files.model });
  const opt = await readSafetensors(files.optimizer);
  const names = new Map(model.variables.map((x, i) => [String(i), x.name]));
  const moments = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, t] of opt.tensors) {
    const [kind, idx] = k.split("/");
    moments.set(`${kind}/${names.get(idx)}`, t);
  }
  optimizer.load(moments, state.stepsDone);
  return { model, state };
}

/** Removes a finished run's checkpoint files. */
export async function removeCheckpoint(dir: string): Promise<void> {
  for (const f of Object.values(checkpointFiles(dir))) await Deno.remove(f).catch(() => {});
}
