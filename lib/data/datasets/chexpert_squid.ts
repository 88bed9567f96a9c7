/**
 * CheXpert, SQUID's PA split: `train_256_pa/normal_256`, `our_test_256_pa/{normal_256, abnormal_256 | pneumonia_256}`
 * (the PPAD authors renamed `abnormal_256` to `pneumonia_256`; both are accepted).
 * @module
 */
import { join } from "../../util/mod.ts";
import { folderSamples, isDir, layoutError } from "./fs.ts";
import { type Dataset, makeDataset, type Sample } from "./types.ts";

/** Loads the SQUID CheXpert layout. Throws an `InputError` naming a missing or empty folder. */
export function loadChexpertSquid(root: string): Dataset {
  const L = "chexpert-squid";
  const abnormalName = ["abnormal_256", "pneumonia_256"].find((n) => isDir(join(root, "our_test_256_pa", n)));
  if (!isDir(join(root, "our_test_256_pa"))) throw layoutError(root, L, "missing folder our_test_256_pa/");
  if (abnormalName === undefined) {
    throw layoutError(root, L, "missing folder our_test_256_pa/abnormal_256/ (or our_test_256_pa/pneumonia_256/)");
  }
  const samples: Sample[] = [
    ...folderSamples(root, "train_256_pa/normal_256", 0, "train", L),
    ...folderSamples(root, "train_256_pa/abnormal_256", 1, "train", L, { required: false }),
    ...folderSamples(root, "our_test_256_pa/normal_256", 0, "test", L),
    ...folderSamples(root, `our_test_256_pa/${abnormalName}`, 1, "test", L),
  ];
  return makeDataset("chexpert", L, root, samples);
}
