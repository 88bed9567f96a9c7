import { assertEquals } from "./assert.ts";
import { listChartFiles } from "../lib/report/mod.ts";
import { join } from "../lib/util/mod.ts";

Deno.test("listChartFiles lists a charts folder's files sorted, and nothing for a missing folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-charts-" });
  try {
    for (const name of ["roc.svg", "heatmap-b.svg", "heatmap-a.svg"]) {
      await Deno.writeTextFile(join(dir, name), "<svg/>");
    }
    await Deno.mkdir(join(dir, "sub"));
    assertEquals(await listChartFiles(dir), ["heatmap-a.svg", "heatmap-b.svg", "roc.svg"]);
    assertEquals(await listChartFiles(join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
