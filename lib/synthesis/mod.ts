/**
 * Anomaly synthesis for training: SAS (the paper's structure-preserving lesions), FPI (patch-blending baseline) and
 * `none`, behind one typed registry; plus the pieces (lesion shapes, exact EDT), a visual gallery, and measuring what a
 * synthesis changed (area and grey-level change of its lesions).
 * All images are `[size*size]` row-major grey Float32Arrays in [0, 1]; masks are `[size*size]` Uint8Arrays.
 * @module
 */
export {
  applyGamma,
  type LesionGamma,
  lesionGamma,
  placeCanvas,
  roundHalfEven,
  sas,
  SAS_WEIGHTS,
  type SasOptions,
  type SasResult,
} from "./sas.ts";
export { fpi, type FpiOptions, type FpiResult } from "./fpi.ts";
export { getSynthesis, none, parseSynthesis, SYNTHESES, SYNTHESIS_NAMES, type SynthesisName } from "./registry.ts";
export { arrayPool, type ImagePool, type Synthesis, type SynthesisInput, type SynthesisResult } from "./types.ts";
export {
  bezierBulge,
  convexHull,
  dilateSquare,
  fillPolygon,
  type LesionCanvas,
  lesionShape,
  type LesionShapeOptions,
  type PixelBox,
  type Point,
} from "./shape.ts";
export { edt, EdtScratch, edtSquaredInto } from "./distance.ts";
export { type GalleryOptions, sasGallery } from "./gallery.ts";
export {
  changedPixels,
  changeInside,
  describeSynthesisDraws,
  type SynthesisDraw,
  synthesisDraws,
  type SynthesisDrawsOptions,
} from "./measure.ts";
