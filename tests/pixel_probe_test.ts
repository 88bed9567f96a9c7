import { assert, assertEquals, assertThrows } from "./assert.ts";
import { pixelBaselineName, regionIndices, thumbnail } from "../lib/experiments/mod.ts";
import { InputError } from "../lib/util/mod.ts";
import { join } from "../lib/util/path.ts";
import { Rng } from "../lib/util/rng.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { runCli } from "../testing/cli.ts";
import { SHARED_DATA_DIR, sharedTest } from "../testing/shared.ts";

Deno.test("thumbnail: each pixel is the mean of its square block", () => {
  // 4 × 4 → 2 × 2: blocks of 2 × 2.
  const image = Float32Array.from({ length: 16 }, (_, i) => i); // rows 0–3, 4–7, 8–11, 12–15
  assertEquals([...thumbnail(image, 4, 2)], [(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4, (8 + 9 + 12 + 13) / 4, 12.5]);
  assertEquals([...thumbnail(image, 4, 4)], [...image]);
  assertThrows(() => thumbnail(image, 4, 3), InputError, "does not divide");
  assertThrows(() => thumbnail(image.subarray(1), 4, 2), InputError, "is not 4 × 4");
});

Deno.test("regionIndices: the border and its inside split the whole film", () => {
  const border = regionIndices(32, 2, "border"), inside = regionIndices(32, 2, "inside the border");
  assertEquals(border.length, 32 * 32 - 28 * 28);
  assertEquals(inside.length, 28 * 28);
  assertEquals([...border, ...inside].sort((a, b) => a - b), regionIndices(32, 2, "whole film"));
  assertEquals(regionIndices(32, 2, "whole film").length, 1024);
  // Corners and edge midpoints are border; the centre and the first inner pixel are not.
  for (const i of [0, 31, 32 * 31, 1023, 32 + 16, 16 * 32 + 30]) assert(border.includes(i), `${i}`);
  for (const i of [16 * 32 + 16, 2 * 32 + 2]) assert(inside.includes(i), `${i}`);
  assertThrows(() => regionIndices(32, 16, "border"), InputError, "does not fit");
  assertThrows(() => regionIndices(32, 0, "border"), InputError, "does not fit");
  assertEquals(pixelBaselineName(32, 2, "border"), "pixels 32×32: border (14 px)");
  assertEquals(pixelBaselineName(32, 2, "whole film"), "pixels 32×32: whole film");
});

const CORPUS = join(SHARED_DATA_DIR, "covid-radiography-224");

sharedTest({ needs: [CORPUS], why: "the pixel baselines are fitted on the real corpus" }, {
  name: "zeroshot --pixel-probe: three baselines per set in the probe table's shape, drawn beside backbones",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ppad-pixel-probe-" });
    const zeroshot = (...args: string[]) => runCli("zeroshot", ...args);
    try {
      const data = join(dir, "zl");
      await makeFakeDataset(data, "zhanglab-kaggle", { normal: 8, abnormal: 8, trainNormal: 2, rng: new Rng(5) });
      const base = join(dir, "pixels");
      const res = await zeroshot(
        ...["--pixel-probe", base, "--real", CORPUS, "--no-benchmark", "--data", data, "--probe-limit", "16"],
      );
      assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
      const lines = (await Deno.readTextFile(`${base}.csv`)).trim().split("\n");
      assertEquals(lines[0], "model,model_hash,probe,data,role,n,metric,value");
      // 3 regions × 2 sets (held-out, the fake data set) × 3 metrics, each a logistic probe of no checkpoint.
      assertEquals(lines.length, 1 + 3 * 2 * 3);
      for (const line of lines.slice(1)) {
        assert(/^pixels 32×32: [a-z ()0-9]+,no weights,logistic,/.test(line), line);
        const value = Number(line.split(",").at(-1));
        assert(value >= 0 && value <= 1, line);
      }
      const names = new Set(lines.slice(1).map((l) => l.split(",")[0]));
      assertEquals([...names], [
        "pixels 32×32: whole film",
        "pixels 32×32: border (14 px)",
        "pixels 32×32: inside the border",
      ]);
      const svg = await Deno.readTextFile(`${base}.svg`);
      assert(svg.includes("pixels 32×32: border (14 px)") && svg.includes("no network"), svg.slice(0, 300));
      assertEquals(svg.match(/<circle/g)?.length, 3 * 2); // 3 baselines × 2 panels, one dot each
      // --probe and --pixel-probe together are refused, naming both.
      const both = await zeroshot("--probe", join(dir, "a"), "--pixel-probe", join(dir, "b"));
      assertEquals(both.code, 2);
      assert(new TextDecoder().decode(both.stderr).includes("--pixel-probe"));
      // It scores no checkpoint: --models with it is refused rather than ignored.
      const withModels = await zeroshot("--pixel-probe", join(dir, "c"), "--models", "models/x.safetensors");
      assertEquals(withModels.code, 2);
      assert(new TextDecoder().decode(withModels.stderr).includes("leave out --models"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
