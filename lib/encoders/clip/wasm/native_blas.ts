/**
 * An optional native BLAS for the engine's linear layers: `cblas_sgemm` from a system OpenBLAS (or any CBLAS library)
 * through Deno's FFI, working in place on tfjs' wasm memory. Opt-in with `PPAD_BLAS=auto` (the first of
 * {@link BLAS_CANDIDATES} that opens) or `PPAD_BLAS=/path/to/libopenblas.so`; off by default, so that results do not
 * depend on which libraries a machine has. Needs `--allow-ffi` (the tasks run with `-A`).
 * @module
 */

/** Libraries tried by `PPAD_BLAS=auto`, in order (Debian's `libopenblas0-pthread`, `libblis4`, `libmkl-rt`). */
export const BLAS_CANDIDATES: readonly string[] = [
  "libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "libblis.so.4",
  "libmkl_rt.so.2",
  "libmkl_rt.so",
];

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
} as const;

const THREADS = { openblas_set_num_threads: { parameters: ["i32"], result: "void" } } as const;

/** An opened CBLAS library. */
export interface NativeBlas {
  /** The path or name it was opened by. */
  library: string;
  /**
   * C[M, N] = A[M, K]·op(B) + beta·C on byte offsets into `memory` (row-major, fp32): op(B) = Bᵀ (B `[N, K]`) when
   * `transB`, else B `[K, N]`; lda, ldb, ldc in floats.
   */
  sgemm(
    memory: ArrayBufferLike,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    transB: boolean,
    c: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    beta: number,
  ): void;
}

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** Opens `library` (a path or soname) as a CBLAS with `threads` threads; null when it cannot be opened. */
export function openBlas(library: string, threads: number): NativeBlas | null {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen(library, SYMBOLS);
  } catch {
    return null;
  }
  try {
    const t = Deno.dlopen(library, THREADS);
    t.symbols.openblas_set_num_threads(threads);
  } catch { /* not OpenBLAS: its own thread setting applies */ }
  let base: { buffer: ArrayBufferLike; ptr: Deno.PointerValue } | null = null;
  const at = (memory: ArrayBufferLike, offset: number) => {
    if (!base || base.buffer !== memory) base = { buffer: memory, ptr: Deno.UnsafePointer.of(new Uint8Array(memory)) };
    return Deno.UnsafePointer.offset(base.ptr as Deno.PointerObject, offset);
  };
  return {
    library,
    sgemm(memory, a, lda, b, ldb, transB, c, ldc, m, n, k, beta) {
      lib.symbols.cblas_sgemm(
        ROW_MAJOR,
        NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        at(memory, a),
        lda,
        at(memory, b),
        ldb,
        beta,
        at(memory, c),
        ldc,
      );
    },
  };
}

/** Opens what `spec` names (`auto`: the first of {@link BLAS_CANDIDATES} that opens; `off` or empty: none), or null. */
export function blasFrom(spec: string | undefined, threads: number): NativeBlas | null {
  if (!spec || spec === "off") return null;
  for (const lib of spec === "auto" ? BLAS_CANDIDATES : [spec]) {
    const blas = openBlas(lib, threads);
    if (blas) return blas;
  }
  return null;
}

/** The library `PPAD_BLAS` asks for, or null (unset, `off`, or nothing opens: then it says so on stderr). */
export function blasFromEnv(threads: number): NativeBlas | null {
  let want: string | undefined;
  try {
    want = Deno.env.get("PPAD_BLAS");
  } catch {
    return null;
  }
  const blas = blasFrom(want, threads);
  if (!blas && want && want !== "off") {
    console.error(`PPAD_BLAS=${want}: no CBLAS library could be opened; the engine's wasm kernels are used`);
  }
  return blas;
}
