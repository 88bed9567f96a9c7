/**
 * Scoring new images with saved prompts: the card, image collection, CSV and overlay naming (in process); prompts
 * produced by a paper-protocol run reloaded to reproduce that run's probabilities exactly; and `deno task score` end
 * to end (spawned): CSV, overlays, skipped files, and a mismatching model refused.
 */
import { assert, assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { decode } from "fast-png";
import { initBackend } from "../lib/backend.ts";
import { makeFakeDataset } from "../testing/fake_datasets.ts";
import { loadModelBundle } from "../lib/encoders/bundle.ts";
import { scoreImages, scoresCsv } from "../lib/eval/score_saved_prompts.ts";
import {
  loadPromptModel,
  type PromptCard,
  promptCardPath,
  readPromptCard,
  requireSameModel,
} from "../lib/prompts/card.ts";
import { collectImagePaths } from "../lib/data/datasets/mod.ts";
import { overlayNames } from "../lib/report/overlay.ts";
import { planSweep } from "../lib/experiments/config.ts";
import { ExperimentData } from "../lib/experiments/data.ts";
import { runSweep } from "../lib/experiments/runner.ts";
import { paths, readRunRecords, type TrainedRecord } from "../lib/experiments/store.ts";
import { PAPER_SWEEP } from "../experiments/paper.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { ensureTestModel } from "../testing/test_model.ts";
import { Rng } from "../lib/util/rng.ts";

// The project's own random CLIP in CheXzero's .pt format (testing/test_model.ts): no ../shared needed.
const { model: FIXTURE } = await ensureTestModel();

const CLI = join(PROJECT_ROOT, "cli", "score.ts");

async function score(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(PROJECT_ROOT, "deno.json"), CLI, ...args],
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { PPAD_QUIET: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ppad-score-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("score: image collection walks folders recursively, keeps files, refuses missing or empty inputs", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(join(dir, "a", "deep"), { recursive: true });
    await Deno.mkdir(join(dir, "empty"));
    for (const f of ["a/z.png", "a/b.JPG", "a/deep/c.dcm", "a/notes.txt", "a/.hidden.png", "x.bin"]) {
      await Deno.writeFile(join(dir, f), new Uint8Array([1]));
    }
    const found = await collectImagePaths([join(dir, "a"), join(dir, "x.bin"), join(dir, "a", "z.png")]);
    assertEquals(found, [join(dir, "a/b.JPG"), join(dir, "a/deep/c.dcm"), join(dir, "a/z.png"), join(dir, "x.bin")]);
    await assertRejects(() => collectImagePaths([join(dir, "nope")]), InputError, "no such file or folder");
    await assertRejects(() => collectImagePaths([join(dir, "empty")]), InputError, "holds no images");
    await assertRejects(() => collectImagePaths([]), InputError, "names no file");
    await assertRejects(
      () => collectImagePaths([join(dir, "nope")], { action: "score images" }),
      InputError,
      `Cannot score images in ${join(dir, "nope")}: no such file or folder`,
    );
  });
});

Deno.test("score: CSV rows, overlay names, and the card's checks", async () => {
  const csv = scoresCsv(
    [{ path: "/d/a,b.png", score: 0.25, probs: new Float32Array([0.5, 0.125]) }],
    [{ path: "/d/bad.png", reason: "Cannot decode /d/bad.png: invalid PNG" }],
    ["left", "whole"],
  );
  assertEquals(
    csv,
    "image,score,p_left,p_whole,error\n" +
      '"/d/a,b.png",0.250000,0.500000,0.125000,\n' +
      "/d/bad.png,,,,Cannot decode /d/bad.png: invalid PNG\n",
  );
  assertEquals(overlayNames(["/x/a.png", "/y/a.dcm", "/z/a-2.png", "/w/b c.jpg"]), [
    "a.png",
    "a-2.png",
    "a-2-2.png",
    "b_c.png",
  ]);
  assertEquals(promptCardPath("/r/prompts/abc.safetensors"), "/r/prompts/abc.json");
  await withTemp(async (dir) => {
    const p = join(dir, "p.safetensors");
    await assertRejects(() => readPromptCard(p), InputError, "p.json: no such file");
    await Deno.writeTextFile(join(dir, "p.json"), "{");
    await assertRejects(() => readPromptCard(p), InputError, "invalid JSON");
    await Deno.writeTextFile(join(dir, "p.json"), JSON.stringify({ kind: "ppad-prompts", modelHash: "h" }));
    await assertRejects(() => readPromptCard(p), InputError, "spec is missing");
    // A zero std would turn every image into NaN.
    const spec = { variant: "ppad", regions: "ppad5", nCtx: 4, classWords: ["normal", "pneumonia"] };
    const normalisation = { mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2] };
    await Deno.writeTextFile(
      join(dir, "p.json"),
      JSON.stringify({ kind: "ppad-prompts", modelHash: "h", spec, regions: [], normalisation }),
    );
    await assertRejects(() => readPromptCard(p), InputError, "p.json: normalisation.std is not three positive numbers");
    // A length read from the card is bounded before anything is allocated from it.
    await Deno.writeTextFile(
      join(dir, "p.json"),
      JSON.stringify({ kind: "ppad-prompts", modelHash: "h", spec: { ...spec, nCtx: 1e9 }, regions: [] }),
    );
    await assertRejects(() => readPromptCard(p), InputError, "p.json: spec.nCtx is not an integer in 0…77");
  });
  const card = { modelHash: "aaaa", spec: { model: "chexzero.pt" } } as unknown as PromptCard;
  requireSameModel(card, "aaaa", "m.pt", "p.safetensors");
  assertThrows(
    () => requireSameModel(card, "bbbb", "other.pt", "p.safetensors"),
    InputError,
    "Cannot use prompts p.safetensors with model other.pt: they were trained on model aaaa (chexzero.pt), this model is bbbb",
  );
});

Deno.test({
  name:
    "score: prompts from a paper-protocol run reload exactly; the CLI writes CSV + overlays and refuses another model",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withTemp(async (dir) => {
      await initBackend("wasm", { quiet: true });
      const fake = await makeFakeDataset(join(dir, "data"), "zhanglab-squid", {
        normal: 3,
        abnormal: 3,
        trainNormal: 5,
        size: 48,
        rng: new Rng(3),
        corrupt: true,
        dicom: true,
      });
      const bundle = await loadModelBundle(FIXTURE);
      const out = join(dir, "out");
      try {
        const data = await ExperimentData.load(fake.root, { resolution: 224, onBadImage: "skip", quiet: true });
        const planned = await planSweep(PAPER_SWEEP, {
          model: FIXTURE,
          modelHash: bundle.hash,
          data: fake.root,
          dataset: "zhanglab",
          backend: "wasm",
          testLimit: null,
        }, { seeds: 1, variants: ["ppad"], overrides: { shots: 4, steps: 2, sides: "patient" } });
        await runSweep(planned, { out, bundle, data, quiet: true, bootstrap: 20 });
        const [rec] = await readRunRecords(out);
        const prompts = paths.prompts(out, rec.trainingId, rec.spec);
        const card = await readPromptCard(prompts);
        assertEquals([card.dataset, card.shots, card.seed, card.modelHash], ["zhanglab", 4, 0, bundle.hash]);
        // Patient sides: the reloaded prompts must use the run's position words, not the paper's default.
        assertEquals([card.spec.variant, card.spec.regions, card.spec.nCtx, card.spec.sides], [
          "ppad",
          "ppad5",
          16,
          "patient",
        ]);
        assertEquals(card.metrics?.paper.auroc, rec.metrics.auroc);

        // Reloaded prompts give the run's own per-region probabilities on its test images.
        const trained = JSON.parse(
          await Deno.readTextFile(join(out, "trained", `${rec.trainingId}.json`)),
        ) as TrainedRecord;
        const { model } = await loadPromptModel(bundle, prompts);
        const { scored, skipped } = await scoreImages(model, data.test.samples.map((s) => s.path), {
          normalisation: bundle.normalisation,
          scoring: "paper",
          batch: 4,
        });
        model.dispose();
        assertEquals(skipped, []);
        assertEquals(scored.length, trained.probs.length);
        scored.forEach((s, i) => s.probs.forEach((p, r) => assertAlmostEquals(p, trained.probs[i][r], 1e-5)));
        const runScores = (await Deno.readTextFile(join(out, "scores", `${rec.id}.csv`))).trim().split("\n").slice(1);
        runScores.forEach((line, i) => assertAlmostEquals(scored[i].score, Number(line.split(",")[2]), 1e-5));

        // The CLI: a folder (with the corrupt file skipped), overlays, CSV written atomically.
        const csvPath = join(dir, "scores.csv"), overlays = join(dir, "overlays");
        const testDir = join(fake.root, "test");
        const common = ["--model", FIXTURE, "--prompts", prompts, "--backend", "wasm"];
        const [ok, failBad, other, noCard] = await Promise.all([
          score([...common, "--images", testDir, "--out", csvPath, "--overlays", overlays, "--on-bad-image", "skip"]),
          score([...common, "--images", testDir]),
          (async () => {
            const otherModel = join(dir, "other.pt");
            await Deno.writeFile(otherModel, new Uint8Array([...await Deno.readFile(FIXTURE), 0, 0]));
            return score(["--model", otherModel, "--prompts", prompts, "--images", testDir]);
          })(),
          score(["--model", FIXTURE, "--prompts", join(dir, "none.safetensors"), "--images", testDir]),
        ]);
        assertEquals(ok.code, 0, ok.stderr);
        assert(ok.stdout.includes("scored 6 image(s), skipped 1"), ok.stdout);
        const rows = (await Deno.readTextFile(csvPath)).trim().split("\n");
        assertEquals(rows[0], "image,score,p_left,p_right,p_upper,p_lower,p_whole,error");
        assertEquals(rows.length, 1 + 7);
        const good = rows.slice(1).filter((r) => r.endsWith(","));
        assertEquals(good.length, 6);
        for (const r of good) {
          const cells = r.split(",");
          const byPath = scored.find((s) => s.path === cells[0])!;
          assertAlmostEquals(Number(cells[1]), byPath.score, 1e-5);
        }
        assert(rows.some((r) => r.startsWith(`${fake.corruptPath},,`) && r.includes("Cannot decode")), rows.join("\n"));
        const pngs = [];
        for await (const e of Deno.readDir(overlays)) pngs.push(e.name);
        assertEquals(pngs.length, 6);
        assert(pngs.includes("test_normal_0000.png"), pngs.join()); // the DICOM's overlay
        const png = decode(await Deno.readFile(join(overlays, pngs[0])));
        // A figure (image, outlined regions, score, decision, legend), not a bare 224² tinted image.
        assert(png.width > 224 * 2 && png.height > 224, `${png.width}×${png.height}`);

        // An output never lands on an input: the prompts file, or an image through an overlay of the same name.
        const promptBytes = await Deno.readFile(prompts);
        const onPrompts = await score([...common, "--images", testDir, "--out", prompts]);
        const image = join(dir, "own.png");
        await Deno.copyFile(join(overlays, pngs[0]), image);
        const imageBytes = await Deno.readFile(image);
        const onImage = await score([...common, "--images", image, "--overlays", dir]);
        const insideImages = await score([...common, "--images", testDir, "--overlays", join(testDir, "ov")]);
        assertEquals(await Deno.readFile(prompts), promptBytes);
        assertEquals(await Deno.readFile(image), imageBytes);
        for (
          const [r, msg] of [
            [failBad, `Cannot decode ${fake.corruptPath}`],
            [other, `they were trained on model ${bundle.hash}`],
            [noCard, "Cannot read the prompts card"],
            [onPrompts, `Cannot write to --out ${prompts}: it is the --prompts file`],
            [onImage, `Cannot write to --overlays ${image}: it is an image to score`],
            [insideImages, `it is inside the images folder ${testDir}`],
          ] as const
        ) {
          assertEquals(r.code, 2, r.stderr);
          const errors = r.stderr.trim().split("\n").filter((l) => l.startsWith("error: "));
          assertEquals(errors.length, 1, r.stderr);
          assert(errors[0].includes(msg), r.stderr);
          assertEquals(r.stdout, "");
        }
      } finally {
        bundle.clip.dispose();
      }
    }),
});
