/**
 * The library's import graph: nothing in lib/ imports the test-only code (testing/, tests/), nor the commands (cli/)
 * or the committed sweep configs (the top-level experiments/: commands pass them in); lib/ has no import
 * cycle that runs (type-only imports aside); and `lib/data/dicom.ts` and `lib/data/image.ts` do not import each other
 * in any way (they share `gray_image.ts`). Specifiers are read from the source text: static `import`/`export … from`,
 * side-effect `import "…"` and `import("…")` with a literal, outside comments.
 */
import { assert, assertEquals } from "./assert.ts";
import { dirname, join, PROJECT_ROOT, relative, resolve } from "../lib/util/path.ts";

const LIB = join(PROJECT_ROOT, "lib");

/** Every `.ts` file under `dir`, absolute. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await tsFiles(path));
    else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** One import of a module. */
interface ImportRef {
  specifier: string;
  /** `import type …` / `export type …`: erased, never evaluated. */
  typeOnly: boolean;
}

const STATIC = /(?:^|[;\s])(import|export)\s+(type\s)?[^;]*?\sfrom\s*["']([^"']+)["']/g;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)/g;
const SIDE_EFFECT = /(?:^|[;\s])import\s*["']([^"']+)["']/g;

/** The modules `source` imports, outside block comments and whole-line `//` comments. */
function imports(source: string): ImportRef[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: ImportRef[] = [];
  for (const m of code.matchAll(STATIC)) out.push({ specifier: m[3], typeOnly: m[2] !== undefined });
  for (const m of code.matchAll(DYNAMIC)) out.push({ specifier: m[1], typeOnly: false });
  for (const m of code.matchAll(SIDE_EFFECT)) out.push({ specifier: m[1], typeOnly: false });
  return out;
}

/** lib/ file (relative to the project) → the project files it imports (relative); bare specifiers left out. */
async function libGraph(opts: { typeOnly: boolean }): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await tsFiles(LIB)) {
    const deps = imports(await Deno.readTextFile(file))
      .filter((r) => opts.typeOnly || !r.typeOnly)
      .map((r) => r.specifier)
      .filter((s) => s.startsWith(".") || s.startsWith("/") || s.startsWith("file:"))
      .map((s) => relative(PROJECT_ROOT, s.startsWith("file:") ? new URL(s).pathname : resolve(dirname(file), s)));
    graph.set(relative(PROJECT_ROOT, file), deps);
  }
  return graph;
}

/** The first import cycle in `graph` (a depth-first search for a back edge), or null. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (v: string): string[] | null => {
    state.set(v, "open");
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (state.get(w) === "open") return [...stack.slice(stack.indexOf(w)), w];
      if (!state.has(w) && graph.has(w)) {
        const found = visit(w);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(v, "done");
    return null;
  };
  for (const v of graph.keys()) {
    const found = state.has(v) ? null : visit(v);
    if (found) return found;
  }
  return null;
}

Deno.test("imports: static, multi-line, re-export, type-only, dynamic and side-effect; comments skipped", () => {
  const src = [
    'import { a } from "./a.ts";',
    "import {\n  b,\n  type C,\n} from '../b.ts';",
    'export { d } from "./d.ts";',
    'import type { E } from "./e.ts";',
    'export type { H } from "./h.ts";',
    'const f = await import("./f.ts");',
    'import "./g.ts";',
    'import * as tf from "@tensorflow/tfjs";',
    '/**\n * import { x } from "./doc-example.ts";\n */',
    '// import { y } from "./commented-out.ts";',
  ].join("\n");
  const found = imports(src).map((r) => `${r.specifier}${r.typeOnly ? " (type)" : ""}`).sort();
  assertEquals(found, [
    "../b.ts",
    "./a.ts",
    "./d.ts",
    "./e.ts (type)",
    "./f.ts",
    "./g.ts",
    "./h.ts (type)",
    "@tensorflow/tfjs",
  ]);
});

Deno.test("findCycle: finds a cycle, and none in a tree", () => {
  assertEquals(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]])), ["a", "b", "c", "a"]);
  assertEquals(findCycle(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), null);
});

Deno.test("lib/ never imports testing/ or tests/", async () => {
  const graph = await libGraph({ typeOnly: true });
  assert(graph.size > 50, `only ${graph.size} files under lib/`);
  const bad = [...graph].flatMap(([file, deps]) =>
    deps.filter((d) => d.startsWith("testing/") || d.startsWith("tests/")).map((d) => `${file} → ${d}`)
  );
  assertEquals(bad, [], "lib/ imports test-only code");
});

Deno.test("lib/ never imports the commands (cli/) or the committed sweep configs (top-level experiments/)", async () => {
  const graph = await libGraph({ typeOnly: true });
  const bad = [...graph].flatMap(([file, deps]) =>
    deps.filter((d) => d.startsWith("cli/") || d.startsWith("experiments/")).map((d) => `${file} → ${d}`)
  );
  assertEquals(bad, [], "lib/ imports a command or a sweep config");
});

Deno.test("lib/ has no import cycle that runs (type-only imports aside)", async () => {
  const cycle = findCycle(await libGraph({ typeOnly: false }));
  assertEquals(cycle, null, `import cycle: ${cycle?.join(" → ")}`);
});

Deno.test("lib/data: dicom.ts and image.ts do not import each other (the GrayImage type is in gray_image.ts)", async () => {
  const graph = await libGraph({ typeOnly: true });
  const data = new Map([...graph].filter(([file]) => file.startsWith("lib/data/")));
  assert(!graph.get("lib/data/dicom.ts")!.includes("lib/data/image.ts"), "dicom.ts imports image.ts");
  assert(graph.get("lib/data/dicom.ts")!.includes("lib/data/gray_image.ts"));
  const cycle = findCycle(data);
  assertEquals(cycle, null, `import cycle in lib/data: ${cycle?.join(" → ")}`);
});
