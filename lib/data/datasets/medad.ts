/**
 * The Med-AD benchmark layout (VinDr-CXR as `VinCXR/`, RSNA as `RSNA/`): `images/*.png` + `data.json` with
 * `train."0"` (normal training images), `test."0"` (normal) and `test."1"` (abnormal), each a list of file names.
 * The root may be `VinCXR/`/`RSNA/` itself or the folder holding them (then `dataset` picks one when both exist).
 * @module
 */
import { basename, InputError, isAbsolute, join } from "../../util/mod.ts";
import { isDir, isFile, layoutError } from "./fs.ts";
import { type Dataset, type DatasetName, makeDataset, type Sample, type Split } from "./types.ts";

/** Med-AD folder name per data set. */
export const MEDAD_FOLDERS: Readonly<Record<string, DatasetName>> = { VinCXR: "vindr", RSNA: "rsna" };

/** The folder holding `data.json` (root itself, or its `VinCXR/`/`RSNA/` child), or null. */
export function findMedadRoot(root: string, dataset?: DatasetName): string | null {
  if (isFile(join(root, "data.json"))) return root;
  const found = Object.keys(MEDAD_FOLDERS).filter((f) => isFile(join(root, f, "data.json")));
  if (found.length === 0) return null;
  if (found.length === 1) return join(root, found[0]);
  const wanted = found.find((f) => MEDAD_FOLDERS[f] === dataset);
  if (wanted) return join(root, wanted);
  throw new InputError(
    `Cannot load dataset ${root} as medad: it holds ${found.join(" and ")}; choose one with --dataset ${
      found.map((f) => MEDAD_FOLDERS[f]).join("|")
    } or point --data at the folder`,
  );
}

function listAt(json: unknown, split: string, label: string, file: string): string[] {
  const group = (json as Record<string, unknown> | null)?.[split];
  const list = group !== null && typeof group === "object" ? (group as Record<string, unknown>)[label] : undefined;
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
    throw new InputError(`Cannot load dataset ${file}: key ${split}."${label}" is missing or not a list of file names`);
  }
  return list as string[];
}

/** Loads a Med-AD folder. Throws an `InputError` for a malformed `data.json` (naming the key) or a listed file missing. */
export function loadMedad(root: string, dataset?: DatasetName): Dataset {
  const base = findMedadRoot(root, dataset);
  if (base === null) throw layoutError(root, "medad", "missing data.json (with images/ beside it)");
  const file = join(base, "data.json");
  let json: unknown;
  try {
    json = JSON.parse(Deno.readTextFileSync(file));
  } catch (err) {
    throw new InputError(`Cannot load dataset ${file}: invalid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InputError(`Cannot load dataset ${file}: expected an object with keys "train" and "test"`);
  }
  if (!isDir(join(base, "images"))) throw layoutError(base, "medad", "missing folder images/");
  const parts: [Split, string, 0 | 1][] = [["train", "0", 0], ["test", "0", 0], ["test", "1", 1]];
  const samples: Sample[] = [];
  for (const [split, key, label] of parts) {
    const names = listAt(json, split, key, file);
    if (names.length === 0) {
      throw new InputError(`Cannot load dataset ${file}: key ${split}."${key}" lists no images`);
    }
    for (const name of names) {
      const rel = name.includes("/") ? name : `images/${name}`;
      if (isAbsolute(rel) || rel.split("/").includes("..")) {
        throw new InputError(
          `Cannot load dataset ${file}: key ${split}."${key}" lists ${JSON.stringify(name)}, outside the folder`,
        );
      }
      const path = join(base, rel);
      if (!isFile(path)) {
        throw new InputError(`Cannot load dataset ${file}: ${split}."${key}" lists ${rel}, which does not exist`);
      }
      samples.push({ path, label, split, id: rel });
    }
  }
  const name = MEDAD_FOLDERS[basename(base)] ?? dataset ?? "custom";
  return makeDataset(name, "medad", base, samples);
}
