/** CSV by the line (`lib/util/csv.ts`): RFC 4180 splitting, the trimming mode of manifests, and field quoting. */
import { assertEquals } from "./assert.ts";
import { csvField, splitCsvLine } from "../lib/util/csv.ts";

Deno.test("splitCsvLine: quotes, doubled quotes, empty fields; null on a malformed quoted field", () => {
  assertEquals(splitCsvLine(""), [""]);
  assertEquals(splitCsvLine("a,,b,"), ["a", "", "b", ""]);
  assertEquals(splitCsvLine('a,"b,c","d""e",'), ["a", "b,c", 'd"e', ""]);
  assertEquals(splitCsvLine(" a , b "), [" a ", " b "]);
  assertEquals(splitCsvLine('"open'), null);
  assertEquals(splitCsvLine('"a" ,b'), null);
});

Deno.test("splitCsvLine with trim: whitespace around fields and quoted fields is dropped", () => {
  assertEquals(splitCsvLine(" a , b ", { trim: true }), ["a", "b"]);
  assertEquals(splitCsvLine(' "a, b" , "c""d" ,e', { trim: true }), ["a, b", 'c"d', "e"]);
  assertEquals(splitCsvLine('"a" x,b', { trim: true }), null);
});

Deno.test("csvField: quotes only what needs it (or everything with force) and round-trips", () => {
  assertEquals(csvField("plain"), "plain");
  assertEquals(csvField('a,"b"'), '"a,""b"""');
  assertEquals(csvField("line\rbreak"), '"line\rbreak"');
  assertEquals(csvField("x", true), '"x"');
  const values = ["a,b", 'q"q', "", "plain"];
  assertEquals(splitCsvLine(values.map((v) => csvField(v)).join(",")), values);
});
