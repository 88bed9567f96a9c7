/**
 * Finding image files named on a command line: files as given, folders searched recursively.
 * @module
 */
import { InputError, join, resolve } from "../../util/mod.ts";
import { IMAGE_EXTENSIONS, isImageName } from "./fs.ts";

/** Options for {@link collectImagePaths}: how its errors name the action and the flag. */
export interface CollectImagesOptions {
  /** What the images are for, in errors (`Cannot <action> in DIR: …`). @default "read images" */
  action?: string;
  /** The flag that names the inputs, in errors. @default "--images" */
  flag?: string;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory && !e.name.startsWith(".")) await walk(p, out);
    else if ((e.isFile || e.isSymlink) && isImageName(e.name)) out.push(p);
  }
}

/**
 * The image files named by `inputs` (absolute paths): a file is taken as given (its format is read from its bytes), a
 * folder is searched recursively for image extensions (`.png`, `.jpg`, `.jpeg`, `.dcm`, `.dicom`; hidden files and
 * folders skipped), sorted by path. Duplicates are dropped. Throws an `InputError` for a missing path or when nothing
 * is found.
 */
export async function collectImagePaths(
  inputs: readonly string[],
  options: CollectImagesOptions = {},
): Promise<string[]> {
  const action = options.action ?? "read images";
  if (inputs.length === 0) {
    throw new InputError(`Cannot ${action}: ${options.flag ?? "--images"} names no file or folder`);
  }
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(input);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(abs);
    } catch {
      throw new InputError(`Cannot ${action} in ${input}: no such file or folder`);
    }
    if (info.isDirectory) {
      const found: string[] = [];
      await walk(abs, found);
      if (found.length === 0) {
        throw new InputError(
          `Cannot ${action} in ${input}: the folder holds no images (${IMAGE_EXTENSIONS.join(", ")})`,
        );
      }
      out.push(...found);
    } else out.push(abs);
  }
  return [...new Set(out)];
}
