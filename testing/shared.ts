/**
 * What the tests take from the shared folder beside the checkout (`../shared`, or wherever `PPAD_SHARED` points):
 * the reference-parity fixture (a small OpenAI CLIP with the reference implementation's outputs), OpenAI CLIP's BPE
 * vocabulary and real data sets. Everything else the tests need is generated (`test_model.ts`, `fake_datasets.ts`).
 *
 * {@link sharedTest} registers a test that needs shared files: where one is absent the test is ignored, and the test
 * file prints one line saying how many of its tests were skipped and why. `PPAD_SHARED=/nonexistent deno test -A`
 * runs the suite as a clone without `../shared` does.
 * @module
 */
import { DEFAULT_CLIP_BPE_PATH } from "../lib/encoders/tokenizer.ts";
import { join, relative, SHARED_DIR, SHARED_DIR_ENV } from "../lib/util/path.ts";

export { SHARED_DIR };

/** The reference-parity fixture's folder: `model.pt`, `image.png`, `reference.json`. */
export const PARITY_FIXTURE_DIR: string = join(SHARED_DIR, "fixtures", "openai-clip-mini");
/** The parity fixture's checkpoint (a small CLIP in CheXzero's format, vocabulary 49,408). */
export const PARITY_MODEL: string = join(PARITY_FIXTURE_DIR, "model.pt");
/** The reference implementation's outputs on the parity fixture. */
export const PARITY_REFERENCE: string = join(PARITY_FIXTURE_DIR, "reference.json");
/** OpenAI CLIP's BPE merges (`bpe_simple_vocab_16e6.txt.gz`). */
export const CLIP_BPE: string = DEFAULT_CLIP_BPE_PATH;
/** Real data sets, one folder each (`zhanglab-224`, `covid-radiography-224`). */
export const SHARED_DATA_DIR: string = join(SHARED_DIR, "data");

/** True when every path exists. */
export function allExist(paths: readonly string[]): boolean {
  return paths.every((p) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}

/** What a shared-only test needs, for {@link sharedTest}. */
export interface SharedNeeds {
  /** Files or folders under the shared folder. */
  needs: readonly string[];
  /** Why, in a few words, for the summary line (e.g. "parity with OpenAI's reference outputs"). */
  why: string;
}

const _skipped = new Map<string, { count: number; missing: Set<string> }>();

/** Prints the file's one summary line of skipped tests (on unload: after its tests, in their output block). */
function _summary(): void {
  if (_skipped.size === 0) return;
  const count = [..._skipped.values()].reduce((n, s) => n + s.count, 0);
  const tests = count === 1 ? "1 test that needs" : `${count} tests that need`;
  const why = [..._skipped.keys()].join("; ");
  const missing = [...new Set([..._skipped.values()].flatMap((s) => [...s.missing]))].join(", ");
  const where = `${SHARED_DIR} (../shared beside the checkout, or $${SHARED_DIR_ENV})`;
  console.warn(`skipped ${tests} the shared folder ${where}: ${why}; absent: ${missing}`);
}
globalThis.addEventListener("unload", _summary);

/**
 * Registers `def` (a `Deno.test` definition) as a test that needs files from the shared folder. Where one of
 * `needs` is absent the test is ignored and counted in the file's summary line.
 */
export function sharedTest(shared: SharedNeeds, def: Deno.TestDefinition): void {
  const missing = shared.needs.filter((p) => !allExist([p]));
  if (missing.length > 0 && !def.ignore) {
    const entry = _skipped.get(shared.why) ?? { count: 0, missing: new Set<string>() };
    entry.count++;
    for (const p of missing) entry.missing.add(relative(SHARED_DIR, p) || p);
    _skipped.set(shared.why, entry);
  }
  Deno.test({ ...def, ignore: def.ignore || missing.length > 0 });
}
