/**
 * The one grayscale image type every decoder returns (`image.ts` for PNG and JPEG, `dicom.ts` for DICOM). Its own
 * module so that the decoders share it without importing each other.
 * @module
 */

/** A decoded grayscale image. */
export interface GrayImage {
  width: number;
  height: number;
  /** Row-major intensities, `[height * width]`, in [0, 1] (0 = black). For 8-bit sources every value is `k / 255`. */
  data: Float32Array;
  /** Bits of precision of the source samples (8 for JPEG and 8-bit PNG, 16 for 16-bit PNG, BitsStored for DICOM). */
  bitDepth: number;
  /** Where the image came from (a file path or a name), for messages. */
  source: string;
}
