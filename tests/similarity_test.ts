import { assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { cosineRows, nearerOf } from "../lib/encoders/mod.ts";

Deno.test("nearerOf: each other sentence against the two references, with the nearer one", () => {
  const rows = cosineRows(["normal.", "pneumonia.", "clear", "opacity"], [[1, 0], [0, 1], [2, 1], [1, 3]]);
  const nearer = nearerOf(rows, ["normal.", "pneumonia."]);
  assertEquals(nearer.map((r) => [r.sentence, r.nearer]), [["clear", "normal."], ["opacity", "pneumonia."]]);
  assertAlmostEquals(nearer[0]["cos(normal.)"], 2 / Math.sqrt(5));
  assertAlmostEquals(nearer[1]["cos(pneumonia.)"], 3 / Math.sqrt(10));
  assertEquals(nearerOf(cosineRows(["a", "b", "tie"], [[1, 0], [0, 1], [1, 1]]), ["a", "b"])[0].nearer, "b");
  assertThrows(() => nearerOf(rows, ["normal.", "missing"]), RangeError, "no such pair");
});
