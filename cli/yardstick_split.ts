/**
 * Prints the pretraining corpus's split (the same seeded 10 % held-out slice every backbone is chosen on) as JSON
 * `{ root, train: [{ path, label }], heldOut: [...] }`, for `classifier.py`.
 *
 * `deno task yardstick:split [--real DIR] > split.json`
 * @module
 */
import { CORPUS_SPLIT_SEED, DEFAULT_REAL_CORPUS, listCorpus, splitCorpus } from "../lib/train/real_corpus.ts";
import { defineCommand, parseCommand, resolve, runMain } from "../lib/util/mod.ts";

/** The command's flags, help and examples. */
export const COMMAND = defineCommand({
  name: "yardstick:split",
  summary: "Prints the pretraining corpus's training files and seeded held-out slice as JSON, for classifier.py.",
  flags: {
    real: { type: "string", arg: "DIR", description: "the pretraining corpus", default: DEFAULT_REAL_CORPUS },
  },
  examples: ["deno task yardstick:split > /tmp/split.json"],
});

/** Prints the split of `--real` as JSON on stdout. */
export async function main(args: string[]): Promise<void> {
  const { values } = parseCommand(COMMAND, args);
  const root = resolve(values.real ?? DEFAULT_REAL_CORPUS);
  const split = splitCorpus(listCorpus(root), 0.1, CORPUS_SPLIT_SEED);
  await Deno.stdout.write(new TextEncoder().encode(JSON.stringify({ root, ...split }) + "\n"));
}

if (import.meta.main) runMain(() => main(Deno.args));
