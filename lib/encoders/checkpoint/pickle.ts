/**
 * A restricted unpickler: it decodes the pickle opcodes a PyTorch state dict uses (protocols 0–5, the binary forms)
 * and never runs anything. A `GLOBAL`/`STACK_GLOBAL` may name only a callable the caller lists in `globals`; any other
 * name is refused with an error that names it (`Cannot load model.pt: pickle references forbidden global os.system`).
 * Calls (`REDUCE`, `NEWOBJ`) go only to those host functions. Every length read from the stream is checked against
 * the bytes left.
 * @module
 */
import { InputError } from "../../util/mod.ts";

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A hashable key of a {@link PyDict}. */
export type PyKey = string | number | bigint | boolean | null;

/** A Python dict (also what `collections.OrderedDict` builds); `attributes` holds a `BUILD` state (e.g. `_metadata`). */
export class PyDict {
  readonly items: Map<PyKey, unknown> = new Map();
  attributes: unknown = undefined;
}

/** A Python set or frozenset. */
export class PySet {
  readonly items: Set<PyKey> = new Set();
}

/** A host function the pickle may name and call: `call` receives the argument tuple's items. */
export interface PickleGlobal {
  /** `module.name`, for messages. */
  readonly qualname: string;
  call(args: readonly unknown[]): unknown;
}

/** Options for {@link unpickle}. */
export interface UnpickleOptions {
  /** The file name, for error messages. */
  source: string;
  /** The only globals the pickle may reference, keyed `module.name`. Everything else is refused. */
  globals: ReadonlyMap<string, PickleGlobal>;
  /** Resolves a `BINPERSID` id (PyTorch's storage records). Without it, persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
}

const MARK = Symbol("mark");

/** Normalises a bigint that fits a double exactly to a number. */
function _int(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A short description of a value's Python-ish type, for messages. */
export function pyTypeName(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "string") return "str";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "list";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PyDict) return "dict";
  if (v instanceof PySet) return "set";
  if (typeof v === "object" && v !== null && "qualname" in v) return `global ${(v as PickleGlobal).qualname}`;
  return typeof v === "object" && v !== null ? v.constructor.name : typeof v;
}

/**
 * Decodes one pickle. Never executes code: globals resolve only through `options.globals`.
 * @param bytes the pickle stream (e.g. a PyTorch archive's `data.pkl`)
 * @returns the unpickled value (dicts as {@link PyDict}, tuples as {@link PyTuple}, lists as arrays, ints as number or bigint)
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const { source, globals } = options;
  const fail = (state: string): never => {
    throw new InputError(`Cannot load ${source}: ${state}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const latin1 = new TextDecoder("latin1");
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number, what: string): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) {
      fail(`pickle truncated or corrupt (${what} of ${n} bytes at offset ${pos} runs past ${bytes.length})`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1, "byte")];
  const u16 = () => view.getUint16(need(2, "u16"), true);
  const u32 = () => view.getUint32(need(4, "u32"), true);
  const u64 = (what: string) => {
    const v = view.getBigUint64(need(8, what), true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? fail(`pickle ${what} ${v} is too large`) : Number(v);
  };
  const take = (n: number, what: string) => {
    const at = need(n, what);
    return bytes.subarray(at, at + n);
  };
  const str = (n: number, what: string): string => {
    const raw = take(n, what); // outside the try: a truncation must not read as bad UTF-8
    try {
      return utf8.decode(raw);
    } catch {
      return fail(`pickle ${what} at offset ${pos - n} is not valid UTF-8`);
    }
  };
  const line = (what: string): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`pickle truncated (unterminated ${what} at offset ${pos})`);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (op: string): unknown => {
    if (stack.length === 0) fail(`pickle corrupt (${op} on an empty stack at offset ${pos - 1})`);
    const v = stack.pop();
    if (v === MARK) fail(`pickle corrupt (${op} met a mark at offset ${pos - 1})`);
    return v;
  };
  const top = (op: string): unknown => {
    if (stack.length === 0) fail(`pickle corrupt (${op} on an empty stack at offset ${pos - 1})`);
    return stack[stack.length - 1];
  };
  const popMark = (op: string): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) fail(`pickle corrupt (${op} without a mark at offset ${pos - 1})`);
    stack = prev!;
    return items;
  };
  const key = (k: unknown): PyKey => {
    if (k === null || ["string", "number", "bigint", "boolean"].includes(typeof k)) return k as PyKey;
    return fail(`pickle uses an unsupported dict key of type ${pyTypeName(k)}`);
  };
  const findGlobal = (module: string, name: string): PickleGlobal => {
    const qualname = `${module}.${name}`;
    const g = globals.get(qualname);
    if (!g) fail(`pickle references forbidden global ${qualname} (only state-dict globals are allowed)`);
    return g!;
  };
  const call = (fn: unknown, args: unknown, op: string): unknown => {
    if (typeof fn !== "object" || fn === null || !("call" in fn) || !("qualname" in fn)) {
      return fail(`pickle ${op} on a non-callable ${pyTypeName(fn)} at offset ${pos - 1}`);
    }
    if (!(args instanceof PyTuple)) return fail(`pickle ${op} with non-tuple arguments at offset ${pos - 1}`);
    return (fn as PickleGlobal).call(args.items);
  };
  const setItems = (dict: unknown, kv: unknown[], op: string) => {
    if (!(dict instanceof PyDict)) fail(`pickle ${op} on a ${pyTypeName(dict)} at offset ${pos - 1}`);
    if (kv.length % 2 !== 0) fail(`pickle ${op} with an odd number of items at offset ${pos - 1}`);
    for (let i = 0; i < kv.length; i += 2) (dict as PyDict).items.set(key(kv[i]), kv[i + 1]);
  };
  const append = (list: unknown, items: unknown[], op: string) => {
    if (!Array.isArray(list)) fail(`pickle ${op} on a ${pyTypeName(list)} at offset ${pos - 1}`);
    for (const it of items) (list as unknown[]).push(it);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) fail(`pickle corrupt (memo ${i} unset at offset ${pos})`);
    return memo.get(i);
  };

  while (true) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > 5) fail(`pickle protocol ${proto} is unsupported (max 5)`);
        break;
      }
      case 0x95: // FRAME: framing is only a read-ahead hint
        u64("frame length");
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || metastack.length !== 0) {
          fail(`pickle corrupt (STOP with ${stack.length} values and ${metastack.length} marks on the stack)`);
        }
        return stack[0];
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) metastack.length ? popMark("POP") : fail("pickle corrupt (POP on an empty stack)");
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark("POP_MARK");
        break;
      case 0x32: // DUP
        stack.push(top("DUP"));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4, "BININT"), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
      case 0x8b: { // LONG4
        const n = op === 0x8a ? u8() : view.getInt32(need(4, "LONG4 length"), true);
        const b = take(n, "LONG");
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(_int(v));
        break;
      }
      case 0x49: { // INT (text; "I01"/"I00" are True/False)
        const s = line("INT");
        if (s === "01" || s === "00") stack.push(s === "01");
        else if (/^[-+]?\d+$/.test(s)) stack.push(_int(BigInt(s)));
        else fail(`pickle INT ${JSON.stringify(s)} is not an integer`);
        break;
      }
      case 0x4c: { // LONG (text)
        const s = line("LONG").replace(/L$/, "");
        if (!/^[-+]?\d+$/.test(s)) fail(`pickle LONG ${JSON.stringify(s)} is not an integer`);
        stack.push(_int(BigInt(s)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        stack.push(view.getFloat64(need(8, "BINFLOAT"), false));
        break;
      case 0x46: { // FLOAT (text)
        const s = line("FLOAT");
        const v = Number(s);
        if (s.trim() === "" || Number.isNaN(v) && !/nan/i.test(s)) {
          fail(`pickle FLOAT ${JSON.stringify(s)} is not a number`);
        }
        stack.push(v);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(str(u32(), "BINUNICODE"));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8(), "SHORT_BINUNICODE"));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(u64("BINUNICODE8 length"), "BINUNICODE8"));
        break;
      case 0x54: // BINSTRING (Python 2 str, read as latin-1)
        stack.push(latin1.decode(take(view.getInt32(need(4, "BINSTRING length"), true), "BINSTRING")));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8(), "SHORT_BINSTRING")));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32(), "BINBYTES").slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8(), "SHORT_BINBYTES").slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64("BINBYTES8 length"), "BINBYTES8").slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: { // TUPLE
        const items = popMark("TUPLE"); // pop first: popMark replaces `stack`
        stack.push(new PyTuple(items));
        break;
      }
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop("TUPLE1")]));
        break;
      case 0x86: { // TUPLE2
        const b = pop("TUPLE2");
        stack.push(new PyTuple([pop("TUPLE2"), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop("TUPLE3");
        const b = pop("TUPLE3");
        stack.push(new PyTuple([pop("TUPLE3"), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: { // LIST
        const items = popMark("LIST");
        stack.push(items);
        break;
      }
      case 0x61: { // APPEND
        const v = pop("APPEND");
        append(top("APPEND"), [v], "APPEND");
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark("APPENDS");
        append(top("APPENDS"), items, "APPENDS");
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: { // DICT
        const d = new PyDict();
        setItems(d, popMark("DICT"), "DICT");
        stack.push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop("SETITEM");
        const k = pop("SETITEM");
        setItems(top("SETITEM"), [k, v], "SETITEM");
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark("SETITEMS");
        setItems(top("SETITEMS"), kv, "SETITEMS");
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new PySet());
        break;
      case 0x90: { // ADDITEMS
        const items = popMark("ADDITEMS");
        const s = top("ADDITEMS");
        if (!(s instanceof PySet)) fail(`pickle ADDITEMS on a ${pyTypeName(s)}`);
        for (const it of items) (s as PySet).items.add(key(it));
        break;
      }
      case 0x91: { // FROZENSET
        const s = new PySet();
        for (const it of popMark("FROZENSET")) s.items.add(key(it));
        stack.push(s);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top("BINPUT"));
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top("LONG_BINPUT"));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top("MEMOIZE"));
        break;
      case 0x70: { // PUT (text)
        const s = line("PUT");
        if (!/^\d+$/.test(s)) fail(`pickle PUT index ${JSON.stringify(s)} is not an integer`);
        memo.set(Number(s), top("PUT"));
        break;
      }
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x67: { // GET (text)
        const s = line("GET");
        if (!/^\d+$/.test(s)) fail(`pickle GET index ${JSON.stringify(s)} is not an integer`);
        stack.push(memoGet(Number(s)));
        break;
      }
      case 0x63: { // GLOBAL
        const module = line("GLOBAL module");
        const name = line("GLOBAL name");
        stack.push(findGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop("STACK_GLOBAL");
        const module = pop("STACK_GLOBAL");
        if (typeof module !== "string" || typeof name !== "string") fail("pickle STACK_GLOBAL with non-string names");
        stack.push(findGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop("REDUCE");
        const fn = pop("REDUCE");
        stack.push(call(fn, args, "REDUCE"));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop("NEWOBJ");
        const cls = pop("NEWOBJ");
        stack.push(call(cls, args, "NEWOBJ"));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop("NEWOBJ_EX");
        const args = pop("NEWOBJ_EX");
        const cls = pop("NEWOBJ_EX");
        if (!(kwargs instanceof PyDict) || kwargs.items.size !== 0) {
          fail("pickle NEWOBJ_EX with keyword arguments is unsupported");
        }
        stack.push(call(cls, args, "NEWOBJ_EX"));
        break;
      }
      case 0x62: { // BUILD
        const state = pop("BUILD");
        const obj = top("BUILD");
        if (obj instanceof PyDict) obj.attributes = state;
        else fail(`pickle BUILD on a ${pyTypeName(obj)} is unsupported`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop("BINPERSID");
        if (!options.persistentLoad) fail("pickle uses persistent ids, which this file type does not allow");
        stack.push(options.persistentLoad!(pid));
        break;
      }
      default: {
        const names: Record<number, string> = {
          0x69: "INST",
          0x6f: "OBJ",
          0x50: "PERSID",
          0x82: "EXT1",
          0x83: "EXT2",
          0x84: "EXT4",
          0x97: "NEXT_BUFFER",
          0x98: "READONLY_BUFFER",
          0x53: "STRING",
          0x56: "UNICODE",
        };
        const name = names[op] ?? `0x${op.toString(16).padStart(2, "0")}`;
        fail(`pickle opcode ${name} at offset ${at} is unsupported by the restricted loader`);
      }
    }
  }
}
