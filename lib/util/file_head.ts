/**
 * The first bytes of a file, for output checks that replace only a file of their own kind (a cache, a checkpoint, a
 * PNG) and refuse to write over anything else.
 * @module
 */

/**
 * The first `n` bytes of `path` (fewer when it is shorter), or null when there is no file to read there (absent, a
 * folder, or unreadable: the write that follows says why).
 */
export async function readFileHead(path: string, n: number): Promise<Uint8Array | null> {
  const file = await Deno.open(path, { read: true }).catch(() => null);
  if (!file) return null;
  try {
    if (!(await file.stat()).isFile) return null;
    const head = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const read = await file.read(head.subarray(filled));
      if (read === null) break;
      filled += read;
    }
    return head.subarray(0, filled);
  } finally {
    file.close();
  }
}

/** Whether `bytes` starts with `prefix`. */
export function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
