/**
 * What a notebook (or a script) needs before it trains or scores anything, loaded the way `deno task ablate` loads it:
 * the backend, the model bundle, the data (the synthetic benchmark unless a root is given) and the run context that
 * the sweep would record for them.
 * @module
 */
import { type BackendInfo, initBackend, requestedBackend } from "../backend.ts";
import { ensureBenchmark } from "../data/mod.ts";
import { loadModelBundle, type ModelBundle } from "../encoders/mod.ts";
import { PROJECT_ROOT, relative, shownPath } from "../util/mod.ts";
import { type RunContext, runContext } from "./config.ts";
import { ExperimentData } from "./data.ts";

/** Options for {@link loadExperiment}; every field may be undefined (the default then applies). */
export interface ExperimentSetupOptions {
  /** A checkpoint path. @default the embedded model */
  model?: string;
  /** A data set root. @default the synthetic benchmark (written on first use) */
  data?: string;
  /** The layout of `data`. @default auto-detected */
  layout?: string;
  /** Stratified test subsample; 0 or null = every test image. @default null */
  testLimit?: number | null;
  /** `wasm`, `webgpu`, `cpu` or `tensorflow`. @default `PPAD_BACKEND`, else wasm */
  backend?: string;
}

/** What {@link loadExperiment} loaded. */
export interface ExperimentSetup {
  backend: BackendInfo;
  bundle: ModelBundle;
  /** The data root in use (absolute). */
  dataRoot: string;
  data: ExperimentData;
  /** The run context the sweep records for this model, data and backend (`makeRunSpec`'s second argument). */
  context: RunContext;
}

/** Initialises the backend and loads the model and the data at the model's resolution, quietly. */
export async function loadExperiment(options: ExperimentSetupOptions = {}): Promise<ExperimentSetup> {
  const backend = await initBackend(requestedBackend(options.backend), { quiet: true });
  const bundle = await loadModelBundle(options.model);
  const dataRoot = options.data ?? await ensureBenchmark();
  const testLimit = options.testLimit || null;
  const data = await ExperimentData.load(dataRoot, {
    resolution: bundle.clip.config.imageResolution,
    layout: options.layout,
    testLimit,
    quiet: true,
  });
  const context = runContext({
    modelFlag: options.model,
    modelRelative: relative(PROJECT_ROOT, bundle.path),
    modelHash: bundle.hash,
    dataFlag: options.data,
    dataRoot,
    dataRelative: relative(PROJECT_ROOT, dataRoot),
    detectedDataset: data.dataset.name,
    backend: backend.name,
    testLimit,
  });
  return { backend, bundle, dataRoot, data, context };
}

/** One line: backend, model and hash, data root, training normals and test images (abnormal among them). */
export function describeExperiment(setup: ExperimentSetup): string {
  const labels = setup.data.test.labels;
  return `backend ${setup.backend.description}; model ${relative(PROJECT_ROOT, setup.bundle.path)} ` +
    `(${setup.bundle.hash}); data ${shownPath(setup.dataRoot)}: ${setup.data.trainNormals.length} training ` +
    `normals, ${labels.length} test images (${labels.filter((l) => l === 1).length} abnormal)`;
}
