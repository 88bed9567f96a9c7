/**
 * Executes every result notebook (notebooks/01–05) in quick mode with the headless runner and checks the rendered
 * HTML: its charts are inline SVG (and images inline PNG), and no cell wrote an error or stderr.
 */
import { assert } from "./assert.ts";
import type { Notebook } from "../lib/notebooks/notebook.ts";
import { jupyterMissing } from "../lib/notebooks/python.ts";
import { runNotebooks } from "../lib/notebooks/run.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";
import { TEST_MODEL_PATH } from "../testing/test_model.ts";

const exists = (path: string) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

const missing = await jupyterMissing();
if (missing) console.warn(`skipping the result notebooks: ${missing}`);

// The embedded default model is committed; in a checkout where it is not built yet, run on the tests' own mini CLIP
// (`testing/test_model.ts`) instead (the notebooks take PPAD_MODEL), so that the notebooks are still exercised.
const DEFAULT_MODEL = join(PROJECT_ROOT, "models", "ppad-mini-cxr-real", "model.safetensors");
const modelEnv: Record<string, string> = exists(DEFAULT_MODEL) ? {} : { PPAD_MODEL: TEST_MODEL_PATH };
if (modelEnv.PPAD_MODEL) {
  console.warn(`the embedded model is missing (${DEFAULT_MODEL}): notebooks 02/03 use ${TEST_MODEL_PATH}`);
}
const ABLATE_RUNS = join(PROJECT_ROOT, "results", "ablate", "runs");
const hasAblate = exists(ABLATE_RUNS);
if (!hasAblate) console.warn(`skipping notebook 04: ${ABLATE_RUNS} is missing (run \`deno task ablate\`)`);

/** What each notebook's HTML must hold: at least `charts` Plot charts, `svgs` inline SVG documents, `pngs` images. */
interface Expectation {
  name: string;
  charts: number;
  svgs: number;
  pngs: number;
  /** A string the executed notebook must print (proof that a key step ran). */
  text: string;
  ignore: boolean;
  env?: Record<string, string>;
}

const NOTEBOOKS: Expectation[] = [
  { name: "01-data", charts: 2, svgs: 2, pngs: 10, text: "quick mode: true", ignore: false },
  {
    name: "02-clip-zero-shot",
    charts: 3,
    svgs: 3 + 4,
    pngs: 5,
    text: "Zero-shot",
    ignore: false,
    env: modelEnv,
  },
  {
    name: "03-train-ppad",
    charts: 3,
    svgs: 3 + 4,
    pngs: 8,
    text: "trained 4 steps on 8 shots",
    ignore: false,
    env: modelEnv,
  },
  { name: "04-ablations", charts: 3, svgs: 3, pngs: 0, text: "runs in results/ablate", ignore: !hasAblate },
  { name: "05-paper-tables", charts: 2, svgs: 2, pngs: 0, text: "MICCAI 2024 Table 1", ignore: false },
];

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

for (const nb of NOTEBOOKS) {
  Deno.test({
    name: `notebook ${nb.name} runs in quick mode and renders its charts inline, without errors`,
    ignore: missing !== null || nb.ignore,
    fn: async () => {
      const base = join(PROJECT_ROOT, "results", "tmp");
      await Deno.mkdir(base, { recursive: true });
      const out = await Deno.makeTempDir({ dir: base, prefix: `nbrender-${nb.name}-` });
      try {
        const start = performance.now();
        const result = await runNotebooks([join(PROJECT_ROOT, "notebooks", `${nb.name}.ipynb`)], {
          out,
          quick: true,
          env: nb.env,
          log: () => {},
        });
        console.log(`${nb.name}: ${((performance.now() - start) / 1000).toFixed(1)} s in quick mode`);
        const html = await Deno.readTextFile(result.notebooks[0].html);
        const executed = JSON.parse(await Deno.readTextFile(result.notebooks[0].ipynb)) as Notebook;
        const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
        const json = JSON.stringify(outputs);
        // no error or stderr output, in the executed notebook or in the HTML
        assert(!outputs.some((o) => o.output_type === "error"), `${nb.name}: an error output`);
        assert(!json.includes('"ename"'), `${nb.name}: an output with ename`);
        assert(!json.includes("Traceback"), `${nb.name}: a traceback in the outputs`);
        assert(
          !outputs.some((o) => o.output_type === "stream" && (o as { name?: string }).name === "stderr"),
          `${nb.name}: a cell wrote to stderr: ${json.slice(0, 400)}`,
        );
        assert(!html.includes('data-mime-type="application/vnd.jupyter.stderr"'), `${nb.name}: stderr in the HTML`);
        assert(!html.includes('class="output_error'), `${nb.name}: an error in the HTML`);
        // the charts and images are inline in the HTML
        const charts = count(html, '<div class="ppad-chart"');
        const svgs = count(html, '<svg xmlns="http://www.w3.org/2000/svg"');
        const pngs = count(html, "data:image/png;base64,");
        assert(charts >= nb.charts, `${nb.name}: ${charts} Plot charts in the HTML, expected ≥ ${nb.charts}`);
        assert(svgs >= Math.max(1, nb.svgs), `${nb.name}: ${svgs} inline SVGs in the HTML, expected ≥ ${nb.svgs}`);
        assert(pngs >= nb.pngs, `${nb.name}: ${pngs} inline PNG images in the HTML, expected ≥ ${nb.pngs}`);
        assert(json.includes(nb.text), `${nb.name}: the outputs do not mention ${JSON.stringify(nb.text)}`);
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    },
  });
}
