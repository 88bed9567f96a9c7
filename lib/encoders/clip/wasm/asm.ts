/**
 * A small WebAssembly assembler: enough of the binary format (types, one imported memory, functions, exports) and of the
 * instruction set (i32, f32, 128-bit SIMD, relaxed-SIMD fused multiply-add) to write numeric kernels from TypeScript.
 * Instructions are byte arrays; structured control flow comes from helpers ({@link forLoop}, {@link ifThen}).
 * @module
 */

/** Value types. */
export const I32 = 0x7f;
/** 32-bit float. */
export const F32 = 0x7d;
/** 128-bit SIMD vector. */
export const V128 = 0x7b;
/** A value type: {@link I32}, {@link F32} or {@link V128}. */
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function f32Bytes(x: number): number[] {
  return [...new Uint8Array(new Float32Array([x]).buffer)];
}

function simd(op: number): number[] {
  return [0xfd, ...uleb(op)];
}

/** A memory argument: alignment (log2 bytes) and constant byte offset. */
function mem(align: number, offset: number): number[] {
  return [...uleb(align), ...uleb(offset)];
}

/** Instructions, as byte arrays to concatenate. */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  f32: (x: number) => [0x43, ...f32Bytes(x)],
  call: (f: number) => [0x10, ...uleb(f)],
  drop: [0x1a],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  ret: [0x0f],
  // i32
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32LtS: [0x48],
  i32GtS: [0x4a],
  i32GeS: [0x4e],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32Load: (offset = 0) => [0x28, ...mem(2, offset)],
  // f32
  f32Load: (offset = 0) => [0x2a, ...mem(2, offset)],
  f32Store: (offset = 0) => [0x38, ...mem(2, offset)],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  f32Div: [0x95],
  f32Max: [0x97],
  f32Sqrt: [0x91],
  f32ConvertI32S: [0xb2],
  // v128
  v128Load: (offset = 0) => [...simd(0x00), ...mem(4, offset)],
  v128Load32Splat: (offset = 0) => [...simd(0x09), ...mem(2, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...mem(4, offset)],
  v128And: simd(0x4e),
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32x4Ge: simd(0x46),
  f32x4Nearest: simd(0x6a),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  i32x4Shl: simd(0xab),
  i32x4Add: simd(0xae),
  i32x4Splat: simd(0x11),
  i32x4TruncSatF32x4S: simd(0xf8),
  /** Relaxed SIMD `a·b + c` (fused where the CPU has FMA). */
  f32x4RelaxedMadd: simd(0x105),
} as const;

/** Flattens instruction lists. */
export function code(...parts: (readonly number[])[]): number[] {
  return parts.flat();
}

/** `block … end` (a `br 0` inside jumps past it). */
export function block(...body: (readonly number[])[]): number[] {
  return [0x02, 0x40, ...body.flat(), 0x0b];
}

/** `if … end` on the i32 that `cond` leaves. */
export function ifThen(cond: readonly number[], ...body: (readonly number[])[]): number[] {
  return [...cond, 0x04, 0x40, ...body.flat(), 0x0b];
}

/**
 * `for (i = start; i < end; i += step) body`: `start`, `end`, `step` are instruction lists leaving an i32 (`end` is
 * re-evaluated each iteration). The body must not branch out of the loop.
 */
export function forLoop(
  i: number,
  start: readonly number[],
  end: readonly number[],
  step: readonly number[],
  ...body: (readonly number[])[]
): number[] {
  return code(
    start,
    op.localSet(i),
    block(
      [0x03, 0x40], // loop
      op.localGet(i),
      end,
      op.i32GeS,
      op.brIf(1),
      ...body,
      op.localGet(i),
      step,
      op.i32Add,
      op.localSet(i),
      op.br(0),
      [0x0b], // end loop
    ),
  );
}

/** A function: its parameter and result types, the types of its extra locals, its body and an export name (or null). */
export interface FunctionDef {
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  body: number[];
  exportName: string | null;
}

/** Builds functions with numbered locals: parameters first, then locals added by {@link FunctionBuilder.local}. */
export class FunctionBuilder {
  readonly params: ValType[];
  readonly results: ValType[];
  readonly locals: ValType[] = [];

  constructor(params: ValType[], results: ValType[] = []) {
    this.params = params;
    this.results = results;
  }

  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** `count` new locals of `type`; returns their indices. */
  many(type: ValType, count: number): number[] {
    return Array.from({ length: count }, () => this.local(type));
  }

  /** The function with `body`, exported as `exportName` (or not, with null). */
  build(body: number[], exportName: string | null): FunctionDef {
    return { params: this.params, results: this.results, locals: this.locals, body, exportName };
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module importing one memory as `env.memory` (`shared`: a threaded host's shared memory with maximum `maxPages`)
 * and defining `functions` (index order = array order).
 */
export function assemble(functions: FunctionDef[], memory: { shared: boolean; maxPages: number }): Uint8Array {
  const types: number[][] = [];
  const typeIndex: number[] = [];
  for (const f of functions) {
    const t = [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))];
    let k = types.findIndex((u) => u.length === t.length && u.every((b, i) => b === t[i]));
    if (k < 0) k = types.push(t) - 1;
    typeIndex.push(k);
  }
  const limits = memory.shared ? [0x03, ...uleb(1), ...uleb(memory.maxPages)] : [0x00, ...uleb(1)];
  const imports = vec([[...name("env"), ...name("memory"), 0x02, ...limits]]);
  const exports = functions.flatMap((f, i) => (f.exportName ? [[...name(f.exportName), 0x00, ...uleb(i)]] : []));
  const bodies = functions.map((f) => {
    // Locals: runs of equal types.
    const runs: number[][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(typeIndex.map((k) => uleb(k)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
