/**
 * Prints the pretraining corpus's split (the same seeded 10 % held-out slice every backbone is chosen on) as JSON
 * `{ root, train: [{ path, label }], heldOut: [...] }`, for `classifier.py`.
 *
 * `deno run -A experiments/yardstick/split.ts [--real DIR] > split.json`
 * @module
 */
import { parseArgs } from "node:util";
import { CORPUS_SPLIT_SEED, DEFAULT_REAL_CORPUS, listCorpus, splitCorpus } from "../../lib/train/real_corpus.ts";
import { resolve } from "../../lib/util/mod.ts";

const { values } = parseArgs({ options: { real: { type: "string", default: DEFAULT_REAL_CORPUS } } });
const root = resolve(values.real);
const split = splitCorpus(listCorpus(root), 0.1, CORPUS_SPLIT_SEED);
console.log(JSON.stringify({ root, ...split }));
