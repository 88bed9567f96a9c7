import { assert, assertEquals, assertRejects } from "./assert.ts";
import { flattenNotebook, parseCheckOutput } from "../lib/notebooks/check.ts";
import { type Notebook, resolveNotebooks } from "../lib/notebooks/notebook.ts";
import { jupyterMissing } from "../lib/notebooks/python.ts";
import { runNotebooks } from "../lib/notebooks/run.ts";
import { InputError } from "../lib/util/errors.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

function notebook(...cells: [("code" | "markdown"), string][]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map(([cell_type, source], i) => ({
      id: `c${i}`,
      cell_type,
      source,
      metadata: {},
      ...(cell_type === "code" ? { outputs: [], execution_count: null } : {}),
    })),
  };
}

/** A scratch folder inside the project (git-ignored results/tmp), so the kernel and deno check find deno.json. */
async function scratch(): Promise<string> {
  const base = join(PROJECT_ROOT, "results", "tmp");
  await Deno.mkdir(base, { recursive: true });
  return await Deno.makeTempDir({ dir: base, prefix: "nbtest-" });
}

async function writeNotebook(dir: string, name: string, nb: Notebook): Promise<string> {
  const path = join(dir, `${name}.ipynb`);
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
  return path;
}

const REPORT = new URL("../lib/report/mod.ts", import.meta.url).href;

Deno.test("flattenNotebook concatenates code cells and maps every line back to its cell", () => {
  const nb = notebook(["markdown", "# title"], ["code", "const a = 1;\nconst b = a + 1;"], [
    "code",
    ["b\n", "a"].join(""),
  ]);
  const flat = flattenNotebook(nb);
  const lines = flat.code.split("\n");
  const at = (text: string) => flat.lines[lines.indexOf(text)];
  assertEquals(at("const b = a + 1;"), { cell: 2, line: 2 });
  assertEquals(at("a"), { cell: 3, line: 2 });
  assert(flat.code.trimEnd().endsWith("export {};"));
  assertEquals(flat.lines.length, lines.length - 1); // the final newline adds no line
});

Deno.test("parseCheckOutput maps deno check errors to notebook, cell and line", () => {
  const flat = flattenNotebook(notebook(["markdown", "x"], ["code", "const ok = 1;\nconst x: number = 'a';"]));
  const file = "/p/notebooks/.demo.nbcheck.ts";
  const lineNo = flat.lines.findIndex((l) => l?.cell === 2 && l.line === 2) + 1;
  const output = `Check ${file}\nTS2322 [ERROR]: Type 'string' is not assignable to type 'number'.\n` +
    `const x: number = 'a';\n      ^\n    at file://${file}:${lineNo}:7\n\n` +
    `TS2304 [ERROR]: Cannot find name 'foo'.\n    at file:///p/lib/other.ts:3:1\n\nerror: Type checking failed.\n`;
  const problems = parseCheckOutput(output, new Map([[file, { name: "demo", flat }]]));
  assertEquals(problems.map((p) => p.message), [
    "Notebook demo, cell 2, line 2:7: TS2322 Type 'string' is not assignable to type 'number'.",
    "/p/lib/other.ts:3:1: TS2304 Cannot find name 'foo'.",
  ]);
  assertEquals([problems[0].notebook, problems[0].cell, problems[0].line], ["demo", 2, 2]);
});

Deno.test("resolveNotebooks accepts names, prefixes and paths, and names the problem otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ppad-nbresolve-" });
  try {
    for (const n of ["01-zero-shot", "02-train", "02b-extra"]) await writeNotebook(dir, n, notebook());
    assertEquals(
      await resolveNotebooks([], dir),
      ["01-zero-shot", "02-train", "02b-extra"].map((n) => join(dir, `${n}.ipynb`)),
    );
    assertEquals(await resolveNotebooks(["01"], dir), [join(dir, "01-zero-shot.ipynb")]);
    assertEquals(await resolveNotebooks(["02-train.ipynb"], dir), [join(dir, "02-train.ipynb")]);
    assertEquals(await resolveNotebooks([join(dir, "02b-extra.ipynb")], dir), [join(dir, "02b-extra.ipynb")]);
    await assertRejects(() => resolveNotebooks(["02"], dir), InputError, "matches 02-train.ipynb, 02b-extra.ipynb");
    await assertRejects(() => resolveNotebooks(["09"], dir), InputError, "Cannot find notebook");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every committed notebook is nbformat 4.5 with a unique id on every cell (nbformat warns otherwise)", async () => {
  const dir = join(PROJECT_ROOT, "notebooks");
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".ipynb")).sort();
  assert(files.length > 0, "no notebooks found");
  for (const file of files) {
    const nb = JSON.parse(await Deno.readTextFile(join(dir, file))) as Notebook;
    assertEquals([nb.nbformat, nb.nbformat_minor >= 5], [4, true], `${file}: nbformat`);
    const ids = nb.cells.map((c) => c.id);
    const missingIds = ids.flatMap((id, i) => (typeof id === "string" && id !== "" ? [] : [i + 1]));
    assertEquals(missingIds, [], `${file}: cells without an id`);
    assertEquals(new Set(ids).size, ids.length, `${file}: repeated cell ids`);
  }
});

const missing = await jupyterMissing();
if (missing) console.warn(`skipping notebook execution tests: ${missing}`);

Deno.test({
  name: "the smoke notebook executes headlessly; the HTML holds an inline SVG chart and no error",
  ignore: missing !== null,
  fn: async () => {
    const out = await scratch();
    try {
      const result = await runNotebooks([join(PROJECT_ROOT, "notebooks", "00-smoke.ipynb")], {
        out,
        quick: true,
        log: () => {},
      });
      const html = await Deno.readTextFile(result.notebooks[0].html);
      assert(html.includes('<svg xmlns="http://www.w3.org/2000/svg"'), "no inline SVG chart in the HTML");
      assert(html.includes("data:image/png;base64,"), "no inline image in the HTML");
      assert(!html.includes('data-mime-type="application/vnd.jupyter.stderr"'), "error or stderr output in the HTML");
      const nb = JSON.parse(await Deno.readTextFile(result.notebooks[0].ipynb)) as Notebook;
      const code = nb.cells.filter((c) => c.cell_type === "code");
      for (const [i, c] of code.entries()) assert((c.outputs ?? []).length > 0, `code cell ${i + 1} has no output`);
      const outputs = code.flatMap((c) => c.outputs ?? []);
      assert(!outputs.some((o) => o.output_type === "error"), "error output");
      assert(JSON.stringify(outputs).includes("quick mode: true"), "PPAD_QUICK did not reach the kernel");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "a failing cell fails the run, naming the notebook and the cell",
  ignore: missing !== null,
  fn: async () => {
    const dir = await scratch();
    try {
      const path = await writeNotebook(
        dir,
        "fails",
        notebook(["markdown", "# fails"], ["code", "const a = 1;"], ["code", 'throw new TypeError("boom " + a);']),
      );
      await assertRejects(
        () => runNotebooks([path], { out: join(dir, "out"), log: () => {} }),
        Error,
        "Notebook fails, cell 3: TypeError: boom 1",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("notebooks --check reports a type error with its notebook, cell and line", async () => {
  const dir = await scratch();
  try {
    const good = await writeNotebook(
      dir,
      "good",
      notebook(["code", `import { showTable } from "${REPORT}";\nconst n: number = await Promise.resolve(2);`], [
        "code",
        "showTable([{ n }]);",
      ]),
    );
    const bad = await writeNotebook(
      dir,
      "typo",
      notebook(["markdown", "# typo"], ["code", "const n = 1;\nconst s: string = n;"]),
    );
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", join(PROJECT_ROOT, "cli", "notebooks.ts"), "--check", ...args],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const ok = await run(good);
    assertEquals(ok.code, 0, new TextDecoder().decode(ok.stderr));
    const failed = await run(good, bad);
    const stderr = new TextDecoder().decode(failed.stderr);
    assertEquals(failed.code, 1);
    assert(
      stderr.includes("Notebook typo, cell 2, line 2:7: TS2322 Type 'number' is not assignable to type 'string'."),
      stderr,
    );
    assert(!stderr.includes("Notebook good"), stderr);
    assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".nbcheck.ts")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
