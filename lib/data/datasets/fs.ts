/**
 * File-system helpers for the layout loaders: image listing, folder checks, one-line errors.
 * @module
 */
import { extname, InputError, join, relative } from "../../util/mod.ts";
import type { LayoutName, Sample, Split } from "./types.ts";

/** File extensions treated as images when listing a folder (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg", ".dcm", ".dicom"];

/** Whether `path` is a folder. */
export function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** Whether `path` is a regular file. */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Whether a file name looks like an image (by extension; hidden and AppleDouble `._` files excluded). */
export function isImageName(name: string): boolean {
  return !name.startsWith(".") && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The image files directly in `dir`, sorted by name (absolute paths). */
export function listImages(dir: string): string[] {
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if ((e.isFile || e.isSymlink) && isImageName(e.name)) names.push(e.name);
  }
  names.sort();
  return names.map((n) => join(dir, n));
}

/** The loader's error: `Cannot load dataset <root> as <layout>: <state>`. */
export function layoutError(root: string, layout: LayoutName, state: string): InputError {
  return new InputError(`Cannot load dataset ${root} as ${layout}: ${state}`);
}

/** Throws a {@link layoutError} naming `rel` when `root/rel` is not a folder. */
export function requireDir(root: string, rel: string, layout: LayoutName): string {
  const p = join(root, rel);
  if (!isDir(p)) throw layoutError(root, layout, `missing folder ${rel}/`);
  return p;
}

/** The samples of one class folder; throws when it is required and empty. */
export function folderSamples(
  root: string,
  rel: string,
  label: 0 | 1,
  split: Split,
  layout: LayoutName,
  opts: { required?: boolean } = {},
): Sample[] {
  const dir = join(root, rel);
  if (!isDir(dir)) {
    if (opts.required === false) return [];
    throw layoutError(root, layout, `missing folder ${rel}/`);
  }
  const files = listImages(dir);
  if (files.length === 0 && opts.required !== false) {
    throw layoutError(root, layout, `folder ${rel}/ holds no images (${IMAGE_EXTENSIONS.join(", ")})`);
  }
  return files.map((path) => ({ path, label, split, id: relative(root, path).replaceAll("\\", "/") }));
}

/** Throws when `samples` has no image of `split` with `label` (e.g. an empty test split). */
export function requireNonEmpty(
  root: string,
  layout: LayoutName,
  samples: readonly Sample[],
  split: Split,
  label: 0 | 1,
): void {
  if (!samples.some((s) => s.split === split && s.label === label)) {
    throw layoutError(root, layout, `the ${split} split has no ${label === 0 ? "normal" : "abnormal"} images`);
  }
}
