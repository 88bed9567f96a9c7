import { assert, assertEquals, assertThrows } from "./assert.ts";
import { saveMerges, trainBpe } from "../lib/encoders/bpe_train.ts";
import { BpeTokenizer } from "../lib/encoders/tokenizer.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";

const FINDINGS = [
  "pneumonia",
  "effusion",
  "atelectasis",
  "cardiomegaly",
  "consolidation",
  "pneumothorax",
  "edema",
  "nodule",
  "opacity",
  "fracture",
  "emphysema",
  "fibrosis",
];
const PLACES = ["left", "right", "upper", "lower", "bilateral", "basilar", "apical", "perihilar", "retrocardiac"];
const SYLLABLES = [
  "ca",
  "ro",
  "ti",
  "mel",
  "pul",
  "mo",
  "na",
  "ry",
  "ex",
  "tra",
  "hi",
  "lar",
  "bro",
  "chi",
  "ven",
  "lo",
];

/** `n` report-like sentences from a seeded generator, with some rare made-up words. */
function reportCorpus(n: number, seed: number): string[] {
  const rng = new Rng(seed);
  const corpus: string[] = [];
  for (let i = 0; i < n; i++) {
    const rare = Array.from({ length: rng.int(0, 2) }, () => {
      return Array.from({ length: rng.int(2, 4) }, () => rng.pick(SYLLABLES)).join("");
    });
    const severity = rng.pick(["No", "Small", "Large", "Mild", "Moderate"]);
    const change = rng.pick(["stable", "new", "unchanged", "resolved"]);
    corpus.push(
      `${severity} ${rng.pick(PLACES)} ${rng.pick(FINDINGS)} ${rare.join(" ")}, ${rng.int(1, 9)}.${
        rng.int(0, 9)
      } cm; ` +
        `${change} since ${rng.int(2001, 2024)}.`,
    );
  }
  return corpus;
}

Deno.test("bpe_train: hand-computed merges, ties broken by highest count then lexicographically", () => {
  // Words: "ab"×2 → [a, b</w>], "cd"×2 → [c, d</w>], "abd"×1 → [a, b, d</w>].
  // Counts: (a,b</w>)=2, (c,d</w>)=2, (a,b)=1, (b,d</w>)=1. The first tie (2, 2) goes to "a" < "c".
  const merges = trainBpe(["ab ab cd", "cd abd"], 10);
  assertEquals(merges, [
    ["a", "b</w>"],
    ["c", "d</w>"],
    ["a", "b"], // then (a,b)=1 and (b,d</w>)=1 tie: "a" < "b"
    ["ab", "d</w>"],
  ]);
  assertEquals(trainBpe(["ab ab cd", "cd abd"], 2), merges.slice(0, 2));
  assertEquals(trainBpe(["ab ab cd", "cd abd"], 10, { minCount: 2 }), merges.slice(0, 2));
  assertEquals(trainBpe([], 5), []);
  assertEquals(trainBpe(["a b c"], 5), []); // one-character words have no pairs
  assertThrows(() => trainBpe(["x"], -1), RangeError, "numMerges");
});

Deno.test("bpe_train: repeated symbols merge left to right like the tokenizer", () => {
  // "aaa" → [a, a, a</w>]: (a,a)=1, (a,a</w>)=1 → "a" "a" first; then [aa, a</w>].
  const merges = trainBpe(["aaa"], 5);
  assertEquals(merges, [["a", "a"], ["aa", "a</w>"]]);
  const tok = BpeTokenizer.fromMerges(merges);
  assertEquals(tok.encode("aaa"), [tok.vocabSize - 3]);
});

Deno.test("bpe_train: deterministic, frequent words become single tokens, EOT is the largest id", () => {
  const corpus = reportCorpus(3000, 1);
  const merges = trainBpe(corpus, 400);
  assertEquals(merges.length, 400);
  assertEquals(trainBpe(corpus, 400), merges);
  assertEquals(trainBpe(corpus.slice().reverse(), 400), merges); // order of sentences does not matter
  const tok = BpeTokenizer.fromMerges(merges);
  assertEquals(tok.vocabSize, 512 + 400 + 2);
  assertEquals([tok.sot, tok.eot], [tok.vocabSize - 2, tok.vocabSize - 1]);
  for (const word of [...FINDINGS, ...PLACES, "since", "cm", "stable"]) {
    assertEquals(tok.encode(word).length, 1, `${word} should be one token`);
    assertEquals(tok.idToToken(tok.encode(word)[0]), `${word}</w>`);
  }
  for (const sentence of corpus.slice(0, 50)) {
    const ids = tok.encode(sentence);
    assert(Math.max(...ids) < tok.sot, "ordinary text never yields SOT/EOT ids");
    assertEquals(tok.decode(ids).replaceAll(" ", ""), sentence.toLowerCase().replaceAll(" ", ""));
  }
});

Deno.test("bpe_train: 2,000 merges on 20,000 report sentences in a few seconds", () => {
  const corpus = reportCorpus(20_000, 2);
  const t0 = performance.now();
  const merges = trainBpe(corpus, 2000);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`trainBpe: ${merges.length} merges on ${corpus.length} sentences in ${seconds.toFixed(2)} s`);
  assertEquals(merges.length, 2000);
  assert(seconds < 20, `trainBpe took ${seconds.toFixed(1)} s`);
});

Deno.test("bpe_train: saveMerges writes CLIP's format, fromFile reads it back (plain and gzip)", async () => {
  const corpus = reportCorpus(500, 3);
  const merges = trainBpe(corpus, 150);
  const expected = BpeTokenizer.fromMerges(merges);
  const dir = await Deno.makeTempDir({ prefix: "bpe_train_test_" });
  try {
    const plain = join(dir, "merges.txt");
    const gz = join(dir, "bpe.txt.gz");
    await saveMerges(plain, merges);
    await saveMerges(gz, merges);
    const text = await Deno.readTextFile(plain);
    assertEquals(text.split("\n")[0], "#version: 0.2");
    assertEquals(text.split("\n")[1], merges[0].join(" "));
    const gzBytes = await Deno.readFile(gz);
    assertEquals([gzBytes[0], gzBytes[1]], [0x1f, 0x8b]);
    for (const path of [plain, gz]) {
      const tok = await BpeTokenizer.fromFile(path);
      assertEquals([tok.vocabSize, tok.sot, tok.eot, tok.numMerges], [
        expected.vocabSize,
        expected.sot,
        expected.eot,
        150,
      ]);
      for (const sentence of corpus.slice(0, 20)) assertEquals(tok.tokenize([sentence]), expected.tokenize([sentence]));
    }
    await saveMerges(join(dir, "forced.bin"), merges, { gzip: true });
    assertEquals((await Deno.readFile(join(dir, "forced.bin")))[0], 0x1f);
    await saveMerges(join(dir, "empty.txt"), []);
    assertEquals((await BpeTokenizer.fromFile(join(dir, "empty.txt"))).vocabSize, 514);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
