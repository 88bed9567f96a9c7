import { assert } from "./assert.ts";
import { backboneNote } from "../lib/experiments/paper_comparison.ts";

Deno.test("paper comparison: the backbone note says plainly when the checkpoint is not CheXzero", () => {
  const mine = backboneNote("models/ppad-mini-cxr-real/model.safetensors", "574aef158b79f189");
  assert(mine.includes("not CheXzero") && mine.includes("not a reproduction"), mine);
  const other = backboneNote("/data/best_64_5e-05.pt", "abcd");
  assert(other.includes("/data/best_64_5e-05.pt (abcd)") && other.includes("CheXzero's"), other);
});
