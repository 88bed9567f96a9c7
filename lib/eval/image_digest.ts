/**
 * Content keys of images for the sweep's caches: a 128-bit digest of an image's float32 pixels, memoised per array.
 * @module
 */

const digests = new WeakMap<Float32Array, string>();

/**
 * 128-bit digest (32 hex digits) of a typed array's bytes, four independent 32-bit multiply–rotate lanes over its
 * 32-bit words plus its length. Not cryptographic; two different images of a sweep colliding has probability about
 * n² / 2¹²⁹ (n images), negligible.
 * @param data bytes `[n]` (any length)
 */
export function digestBytes(data: Uint8Array): string {
  const words = data.length >>> 2;
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const w = new Uint32Array(aligned.buffer, aligned.byteOffset, words);
  let h1 = 0x9e3779b1 ^ data.length, h2 = 0x85ebca77 ^ data.length;
  let h3 = 0xc2b2ae3d ^ data.length, h4 = 0x27d4eb2f ^ data.length;
  for (let i = 0; i < words; i++) {
    const x = w[i];
    const a = h1 ^ Math.imul(x, 0xcc9e2d51), b = h2 ^ Math.imul(x, 0x1b873593);
    const c = h3 ^ Math.imul(x, 0x85ebca6b), d = h4 ^ Math.imul(x, 0xc2b2ae35);
    h1 = (Math.imul(a << 13 | a >>> 19, 5) + 0xe6546b64) | 0;
    h2 = (Math.imul(b << 15 | b >>> 17, 9) + 0x38b34ae5) | 0;
    h3 = (Math.imul(c << 17 | c >>> 15, 7) + 0xa1e38b93) | 0;
    h4 = (Math.imul(d << 11 | d >>> 21, 3) + 0x5bd1e995) | 0;
  }
  for (let i = words * 4; i < data.length; i++) h1 = Math.imul(h1 ^ data[i], 0x01000193);
  const fin = (h: number, s: number) => {
    h ^= s;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
  };
  // Mix the lanes into each other so that every output word depends on all of them.
  return fin(h1, h2 + h3) + fin(h2, h3 + h4) + fin(h3, h4 + h1) + fin(h4, h1 + h2);
}

/**
 * Digest of an image's float32 pixels `[size*size]` ({@link digestBytes}), memoised per array object: images are
 * treated as immutable once digested (synthesis returns new arrays; test and shot images are never modified).
 */
export function imageDigest(image: Float32Array): string {
  let d = digests.get(image);
  if (d === undefined) {
    d = digestBytes(new Uint8Array(image.buffer, image.byteOffset, image.byteLength));
    digests.set(image, d);
  }
  return d;
}
