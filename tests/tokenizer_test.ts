/**
 * The BPE tokenizer: its mechanics (padding, truncation, decoding, the merges-file and Hugging Face readers) on the
 * tests' own vocabulary (`testing/test_model.ts`), and parity with OpenAI CLIP's vocabulary and the Python reference
 * where the shared folder provides them.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { BpeTokenizer, bytesToUnicode, pretokenize } from "../lib/encoders/tokenizer.ts";
import { basicClean, cleanText, fixText, htmlUnescape, whitespaceClean } from "../lib/encoders/text_clean.ts";
import { InputError } from "../lib/util/errors.ts";
import { join } from "../lib/util/path.ts";
import { CLIP_BPE, PARITY_REFERENCE, sharedTest } from "../testing/shared.ts";
import { TEST_BPE_PATH } from "../testing/test_model.ts";

/** Why the CLIP-vocabulary tests are skipped without the shared folder. */
const CLIP_VOCAB = { needs: [CLIP_BPE], why: "OpenAI CLIP's vocabulary (ids from the Python reference)" };

let clipTokenizer: BpeTokenizer | undefined;
async function clip(): Promise<BpeTokenizer> {
  clipTokenizer ??= await BpeTokenizer.fromFile(CLIP_BPE);
  return clipTokenizer;
}

let testTokenizer: BpeTokenizer | undefined;
/** The tests' own vocabulary: merges learned on synthetic reports and captions. */
async function small(): Promise<BpeTokenizer> {
  testTokenizer ??= await BpeTokenizer.fromFile(TEST_BPE_PATH);
  return testTokenizer;
}

/** The merges of the tests' own vocabulary, in order. */
async function testMerges(): Promise<[string, string][]> {
  const lines = (await Deno.readTextFile(TEST_BPE_PATH)).split("\n").slice(1).filter((l) => l.length > 0);
  return lines.map((line) => line.split(" ") as [string, string]);
}

/**
 * Inputs with the ids (and cleaned text) that OpenAI CLIP's `simple_tokenizer.py` gives for them (ftfy 6.3.1,
 * regex 2026.9), recorded from the Python reference. They cover curly quotes, ligatures, full-width forms, HTML
 * entities, NFC, non-Latin scripts, emoji, odd whitespace, special markers, U+0345 and contractions.
 */
const PYTHON_CASES: [string, string, number[]][] = [
  [
    "Patient\u2019s \u201cLEFT\u201d lung: opacity (\u22482 cm) \u2013 no pneumothorax.",
    'patient\'s "left" lung: opacity (≈2 cm) – no pneumothorax.',
    [
      6262,
      568,
      257,
      1823,
      257,
      16271,
      281,
      676,
      7511,
      7,
      45451,
      273,
      3741,
      264,
      1224,
      871,
      28714,
      617,
      4130,
      9203,
      269,
    ],
  ],
  [
    "\ufb01brosis \uff23\uff34 scan &amp;amp; X-ray &lt;b&gt; &copy 2024 &notit;",
    "fibrosis ct scan & x-ray <b> © 2024 ¬it;",
    [36307, 1122, 11261, 261, 343, 268, 3077, 283, 321, 285, 5811, 273, 271, 273, 275, 126, 361, 585, 282],
  ],
  [
    "cafe\u0301 na\u00efve \u00c5ngstr\u00f6m stra\u00dfe",
    "café naïve ångström straße",
    [15304, 1097, 35689, 563, 23176, 10352, 807, 7255, 332, 1894, 127, 253, 324],
  ],
  [
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u039f\u0394\u039f\u03a3; \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 \ud83d\ude00\ud83d\udc4d\ud83c\udffd",
    "ελληνικά οδος; 日本語のテキスト 😀👍🏽",
    [
      ...[138, 113, 138, 119, 138, 119, 138, 115, 138, 121, 138, 117, 138, 118, 138, 361, 138, 123, 138, 112, 138, 123],
      ...[139, 480, 282, 39121, 44353, 34002, 252, 21575, 2429, 228, 47121, 32421, 486, 12832, 43722],
    ],
  ],
  [
    "tab\there\nnew\u0085line\u00a0nbsp\ufeffbom  end ",
    "tab here new…line nbspbom end",
    [14724, 763, 686, 959, 1148, 6459, 588, 19469, 806],
  ],
  ["<|endoftext|> inside <|STARTOFTEXT|>!", "<|endoftext|> inside <|startoftext|>!", [49407, 2912, 49406, 256]],
  ["a\u0345b 10\u00bd%", "a\u0345b 10½%", [320, 321, 272, 271, 33613, 260]],
  ["I'LL can't WE'VE you'd", "i'll can't we've you'd", [328, 1342, 753, 713, 649, 1200, 592, 1896]],
];

sharedTest({ needs: [CLIP_BPE, PARITY_REFERENCE], why: "parity with OpenAI's reference outputs" }, {
  name: "tokenizer: token ids equal the reference implementation's (reference.json)",
  fn: async () => {
    const tok = await clip();
    const reference = JSON.parse(await Deno.readTextFile(PARITY_REFERENCE)) as {
      tokens: { text: string; ids: number[] }[];
    };
    assert(reference.tokens.length > 0, "reference.json has no tokens");
    for (const { text, ids } of reference.tokens) {
      assertEquals([tok.sot, ...tok.encode(text), tok.eot], ids, text);
      const [row] = tok.tokenize([text]);
      assertEquals(row.slice(0, ids.length), ids, text);
      assert(row.slice(ids.length).every((id) => id === 0), `padding of ${text}`);
    }
  },
});

sharedTest(CLIP_VOCAB, {
  name: "tokenizer: tricky inputs match the Python reference (cleaning and ids)",
  fn: async () => {
    const tok = await clip();
    for (const [text, clean, ids] of PYTHON_CASES) {
      assertEquals(cleanText(text), clean, JSON.stringify(text));
      assertEquals(tok.encode(text), ids, JSON.stringify(text));
    }
  },
});

sharedTest(CLIP_VOCAB, {
  name: "tokenizer: CLIP vocabulary layout (49,408 ids, SOT 49406, EOT 49407, bytes first) and its ids",
  fn: async () => {
    const tok = await clip();
    assertEquals([tok.vocabSize, tok.sot, tok.eot, tok.numMerges], [49408, 49406, 49407, 48894]);
    assertEquals(tok.decode([tok.sot]), "<|startoftext|>");
    assertEquals(tok.decode([0, 93, 256]), "!~! "); // "!" is id 0, "~" id 93, "!</w>" id 256
    assertEquals(tok.encode("a"), [320]); // 256 + 64: "a</w>"
    assertEquals(tok.tokenize(["normal."])[0].slice(0, 5), [49406, 5967, 269, 49407, 0]);
    const long = Array.from({ length: 80 }, (_, i) => `w${i}`).join(" "); // digits split: 230 BPE tokens
    assertEquals(tok.encode(long).length, 230);
    assertThrows(() => tok.tokenize([long]), InputError, "232 tokens exceed the context length 77");
    assertThrows(() => tok.decode([49408]), RangeError, "outside the vocabulary of size 49408");
  },
});

Deno.test("tokenizer: tokenize pads to 77, throws on overflow, truncates with EOT last", async () => {
  const tok = await small();
  const rows = tok.tokenize(["normal.", "pneumonia."]);
  assertEquals(rows.length, 2);
  assert(rows.every((r) => r.length === 77));
  const normal = tok.encode("normal.");
  assertEquals(normal.length, 2, "a learned word and the period");
  assertEquals(rows[0].slice(0, 5), [tok.sot, ...normal, tok.eot, 0]);
  const long = Array.from({ length: 80 }, (_, i) => `w${i}`).join(" "); // digits split: 3 or more tokens a word
  const n = tok.encode(long).length;
  assert(n > 200, `${n} tokens`);
  const err = assertThrows(() => tok.tokenize([long]), InputError);
  assertEquals(err.message, `Cannot tokenize "${long.slice(0, 40)}…": ${n + 2} tokens exceed the context length 77`);
  const [cut] = tok.tokenize([long], { truncate: true });
  assertEquals(cut.length, 77);
  assertEquals(cut.slice(0, 76), [tok.sot, ...tok.encode(long)].slice(0, 76));
  assertEquals(cut[76], tok.eot);
  const fits = Array.from({ length: 75 }, () => "x").join(" "); // exactly 77 with SOT and EOT
  assertEquals(tok.tokenize([fits])[0][76], tok.eot);
  // Ids below 512 are the byte characters in every CLIP-layout vocabulary: "a</w>" = 320, "b</w>" = 321.
  assertEquals(tok.tokenize(["a b"], { contextLength: 5 }), [[tok.sot, 320, 321, tok.eot, 0]]);
  assertThrows(() => tok.tokenize(["a"], { contextLength: 1 }), RangeError, "contextLength");
});

Deno.test({
  name: "tokenizer: decode round-trips cleaned text",
  fn: async () => {
    const tok = await small();
    for (
      const text of [
        "left lung normal",
        "a chest x ray with a large right sided pleural effusion",
        "straße café 日本語 😀",
      ]
    ) {
      assertEquals(tok.decode(tok.encode(text)), text + " ");
    }
    assertEquals(tok.decode(tok.encode("Heart size is NORMAL!")), "heart size is normal ! ");
    assertThrows(
      () => tok.decode([tok.vocabSize]),
      RangeError,
      `outside the vocabulary of size ${tok.vocabSize}`,
    );
    assertThrows(() => tok.decode([-1]), RangeError);
    assertEquals(tok.decode([]), "");
  },
});

Deno.test("text_clean: whitespace collapses and strips with Python's whitespace set", () => {
  assertEquals(whitespaceClean("  a\t\tb\n\nc\r\nd\u00a0e\u2003f\u3000g  "), "a b c d e f g");
  assertEquals(whitespaceClean("x\u0085y"), "x y"); // Python's \s has NEXT LINE
  assertEquals(whitespaceClean("x\ufeffy"), "x\ufeffy"); // … but not the BOM (JavaScript's \s does)
  assertEquals(cleanText("  Normal\n\tHeart  "), "normal heart");
  assertEquals(cleanText(""), "");
});

Deno.test("text_clean: HTML entities, named (with and without ';'), numeric, twice", () => {
  assertEquals(htmlUnescape("&lt;b&gt; &amp; &quot;q&quot; &#39; &#65;&#x42;&#X43;"), '<b> & "q" \' ABC');
  assertEquals(htmlUnescape("&copy 2024 &amp x &notit; &ampx"), "© 2024 & x ¬it; &x");
  assertEquals(
    htmlUnescape("&nosuch; &#128; &#0; &#xD800; &#1114112; &#11; &#x1F600;"),
    "&nosuch; € \ufffd \ufffd \ufffd  😀",
  );
  assertEquals(htmlUnescape("&Jscr; &CounterClockwiseContourIntegral;"), "𝒥 ∳");
  assertEquals(basicClean("  &amp;amp;amp;  "), "&"); // once in ftfy (line has no '<'), then twice
  assertEquals(basicClean("<p>&amp;amp;amp;</p>"), "<p>&amp;</p>"); // a '<' turns ftfy's unescaping off
  assertEquals(cleanText("P&EACUTE;REZ &NTILDE;"), "pérez ñ");
  // ftfy adds an upper-cased name only where it is no reference itself (&GTCC; reads as &GT; + "CC;" in html.unescape)
  assertEquals(fixText("&GTCC; &AMP; &NOTIN; &Notin; &#x41;"), "&GTCC; & ∉ &Notin; A");
  assertEquals(basicClean("&GTCC;"), ">CC;");
});

Deno.test("text_clean: ftfy's fixes (quotes, ligatures, width, controls, C1, NFC) and lower-casing", () => {
  assertEquals(fixText("\u2018it\u2019s\u2019 \u201cok\u201d \u02bc"), "'it's' \"ok\" '");
  assertEquals(fixText("\ufb01ne \ufb02ow \u01c4"), "fine flow DŽ");
  assertEquals(fixText("\uff21\uff22\uff23\u3000\uff11\uff12"), "ABC 12");
  assertEquals(fixText("a\x00b\x07c\ufeffd\x1b[31me\x1b[0m"), "abcde");
  assertEquals(fixText("\x93quoted\x94 \x80"), '"quoted" €');
  assertEquals(fixText("e\u0301\r\nx\u2028y"), "é\nx\ny");
  assertEquals(fixText("lone \ud800 surrogate"), "lone \ufffd surrogate");
  assertEquals(cleanText("LEFT Lung \u039f\u0394\u039f\u03a3"), "left lung \u03bf\u03b4\u03bf\u03c2"); // final sigma
  assertEquals(cleanText("İ"), "i\u0307");
});

Deno.test("tokenizer: pre-tokenisation follows CLIP's split pattern", () => {
  assertEquals(pretokenize("It's 3.5cm, re-check!"), ["it", "'s", "3", ".", "5", "cm", ",", "re", "-", "check", "!"]);
  assertEquals(pretokenize("<|startoftext|>x<|endoftext|>"), ["<|startoftext|>", "x", "<|endoftext|>"]);
  assertEquals(pretokenize("é"), ["Ã©"]); // UTF-8 bytes C3 A9 as bytes_to_unicode characters
  const table = bytesToUnicode();
  assertEquals(new Set(table).size, 256);
  assertEquals([table[0x21], table[0x20], table[0x00], table[0xad]], ["!", "Ġ", "Ā", "Ń"]);
});

Deno.test({
  name: "tokenizer: plain merges file and Hugging Face pair read like fromMerges",
  fn: async () => {
    const merges = await testMerges();
    const m = merges.length;
    assert(m >= 300, `${m} merges`);
    const ref = BpeTokenizer.fromMerges(merges);
    assertEquals([ref.vocabSize, ref.sot, ref.eot], [512 + m + 2, 512 + m, 512 + m + 1]);
    const dir = await Deno.makeTempDir({ prefix: "tokenizer_test_" });
    try {
      const plain = join(dir, "merges.txt");
      await Deno.writeTextFile(plain, ["#version: 0.2", ...merges.map((m) => m.join(" "))].join("\n") + "\n");
      const fromPlain = await BpeTokenizer.fromFile(plain);
      const capped = await BpeTokenizer.fromFile(plain, { maxMerges: 100 });
      assertEquals(capped.vocabSize, 512 + 100 + 2);

      // Hugging Face layout: merges.txt with a #version line, vocab.json token → id (here, CLIP's layout).
      const hfMerges = join(dir, "hf_merges.txt");
      const hfVocab = join(dir, "vocab.json");
      await Deno.writeTextFile(hfMerges, ["#version: 0.2", ...merges.map((m) => m.join(" "))].join("\n") + "\n");
      const vocab: Record<string, number> = {};
      for (let id = 0; id < ref.vocabSize; id++) vocab[ref.idToToken(id)!] = id;
      await Deno.writeTextFile(hfVocab, JSON.stringify(vocab));
      const hf = await BpeTokenizer.fromHuggingFace(hfMerges, hfVocab);
      assertEquals([hf.vocabSize, hf.sot, hf.eot], [ref.vocabSize, ref.sot, ref.eot]);

      const texts = [
        "No acute cardiopulmonary process. Heart size is normal!",
        "a chest x-ray with a large right-sided pleural effusion",
        "consolidation in the LEFT lower lobe, 3.5 cm nodule; re-evaluate in 6-8 weeks",
        "it's the patient's 2nd film",
      ];
      for (const text of texts) {
        assertEquals(fromPlain.encode(text), ref.encode(text), text);
        assertEquals(hf.encode(text), ref.encode(text), text);
        assertEquals(hf.tokenize([text]), ref.tokenize([text]), text);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tokenizer: readers reject bad files with the file named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tokenizer_test_" });
  try {
    await assertRejects(() => BpeTokenizer.fromFile(join(dir, "absent.txt.gz")), InputError, "file not found");
    const noHeader = join(dir, "no_header.txt");
    await Deno.writeTextFile(noHeader, "a b\n");
    await assertRejects(() => BpeTokenizer.fromFile(noHeader), InputError, "'#version' header");
    const badLine = join(dir, "bad_line.txt");
    await Deno.writeTextFile(badLine, "#version: 0.2\na b\nabc\n");
    await assertRejects(() => BpeTokenizer.fromFile(badLine), InputError, "line 3");
    const badGz = join(dir, "bad.gz");
    await Deno.writeFile(badGz, new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    await assertRejects(() => BpeTokenizer.fromFile(badGz), InputError, "gzip");
    const merges = join(dir, "merges.txt");
    await Deno.writeTextFile(merges, "#version: 0.2\na b\n");
    const vocab = join(dir, "vocab.json");
    await Deno.writeTextFile(vocab, JSON.stringify({ a: 0 }));
    await assertRejects(() => BpeTokenizer.fromHuggingFace(merges, vocab), InputError, "is missing");
    await Deno.writeTextFile(vocab, "[1, 2]");
    await assertRejects(() => BpeTokenizer.fromHuggingFace(merges, vocab), InputError, "JSON object");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tokenizer: fromMerges builds CLIP's layout without the CLIP file", () => {
  const tok = BpeTokenizer.fromMerges([["l", "u"], ["lu", "n"], ["lun", "g</w>"]]);
  assertEquals([tok.vocabSize, tok.sot, tok.eot], [515 + 2, 515, 516]);
  assertEquals(tok.encode("lung lung"), [514, 514]);
  assertEquals(tok.decode(tok.encode("Lung, lunar")), "lung , lunar ");
  assertEquals(tok.tokenize(["lung"], { contextLength: 4 }), [[515, 514, 516, 0]]);
  assertThrows(() => BpeTokenizer.fromMerges([["a b", "c"]]), InputError, "merge 1");
});
