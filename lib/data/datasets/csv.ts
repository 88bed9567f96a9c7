/**
 * A CSV manifest: one row per image, `path,label[,split]`. Paths are relative to the CSV's folder; label is 0/1 or
 * normal/abnormal; split is train/val/test (default test). A header row (`path,label,…`) is optional.
 * @module
 */
import { dirname, InputError, isAbsolute, join, relative, resolve, splitCsvLine } from "../../util/mod.ts";
import { isDir, isFile } from "./fs.ts";
import { type Dataset, type DatasetName, makeDataset, type Sample, type Split } from "./types.ts";

function parseLabel(v: string): 0 | 1 | null {
  const s = v.toLowerCase();
  if (s === "0" || s === "normal") return 0;
  if (s === "1" || s === "abnormal") return 1;
  return null;
}

function parseSplit(v: string): Split | null {
  const s = v.toLowerCase();
  if (s === "" || s === "test") return "test";
  if (s === "train") return "train";
  if (s === "val" || s === "valid" || s === "validation") return "val";
  return null;
}

/** The manifest file for `root`: the CSV itself, or the only `*.csv` in the folder (`manifest.csv` preferred). */
export function findManifest(root: string): string | null {
  if (isFile(root) && root.toLowerCase().endsWith(".csv")) return root;
  if (!isDir(root)) return null;
  if (isFile(join(root, "manifest.csv"))) return join(root, "manifest.csv");
  const csvs = [...Deno.readDirSync(root)].filter((e) => e.isFile && e.name.toLowerCase().endsWith(".csv"));
  return csvs.length === 1 ? join(root, csvs[0].name) : null;
}

/** Loads a CSV manifest. Errors name the file and line. */
export function loadCsv(root: string, dataset?: DatasetName): Dataset {
  const file = findManifest(root);
  if (file === null) {
    throw new InputError(`Cannot load dataset ${root} as csv: expected a .csv file (or a folder holding manifest.csv)`);
  }
  const base = resolve(dirname(file));
  const lines = Deno.readTextFileSync(file).replace(/^\uFEFF/, "").split(/\r?\n/);
  const samples: Sample[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const where = `${file} line ${i + 1}`;
    const fields = splitCsvLine(line, { trim: true });
    if (fields === null) {
      throw new InputError(`Cannot load dataset ${where}: a quoted field is not closed, or text follows its quote`);
    }
    if (i === 0 && fields[0].toLowerCase() === "path" && fields[1]?.toLowerCase() === "label") return;
    if (fields.length < 2 || fields.length > 3) {
      throw new InputError(`Cannot load dataset ${where}: expected path,label[,split], got ${fields.length} fields`);
    }
    const label = parseLabel(fields[1]);
    if (label === null) {
      throw new InputError(
        `Cannot load dataset ${where}: label ${JSON.stringify(fields[1])} is not 0/1/normal/abnormal`,
      );
    }
    const split = parseSplit(fields[2] ?? "");
    if (split === null) {
      throw new InputError(`Cannot load dataset ${where}: split ${JSON.stringify(fields[2])} is not train/val/test`);
    }
    const path = isAbsolute(fields[0]) ? fields[0] : join(base, fields[0]);
    if (!isFile(path)) throw new InputError(`Cannot load dataset ${where}: ${fields[0]} does not exist`);
    samples.push({ path, label, split, id: relative(base, path).replaceAll("\\", "/") });
  });
  if (samples.length === 0) throw new InputError(`Cannot load dataset ${file}: the manifest lists no images`);
  return { ...makeDataset(dataset ?? "custom", "csv", base, samples), manifest: resolve(file) };
}
