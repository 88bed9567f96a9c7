/** The README speaks to the project's users: no session wording, no link outside the clone, code spans whole. */
import { assert } from "./assert.ts";
import { join, PROJECT_ROOT } from "../lib/util/path.ts";

const readme = await Deno.readTextFile(join(PROJECT_ROOT, "README.md"));

Deno.test("README: no wording about issues or lent machines, no links into ../shared", () => {
  for (const phrase of ["the issue's", "lent to this task", "../shared/docs/method.md"]) {
    assert(!readme.includes(phrase), `README still says ${JSON.stringify(phrase)}`);
  }
  assert(readme.includes("(docs/method.md)"), "the method is described in the project's own docs/method.md");
});

Deno.test("docs/method.md exists, in the project, naming the official code's files", async () => {
  const method = await Deno.readTextFile(join(PROJECT_ROOT, "docs", "method.md"));
  for (
    const file of ["ppad_clip/model.py", "mask_generate_anomaly.py", "lib/prompts/regions.ts", "lib/eval/score_rule.ts"]
  ) {
    assert(method.includes(file), `docs/method.md does not mention ${file}`);
  }
});

Deno.test("README: no inline code span is broken across lines (outside fenced blocks)", () => {
  const prose = readme.replace(/```[\s\S]*?```/g, "");
  for (const paragraph of prose.split(/\n\s*\n/)) {
    for (const line of paragraph.split("\n")) {
      if (/^\s*\|/.test(line)) continue; // table rows
      const ticks = (line.match(/`/g) ?? []).length;
      assert(ticks % 2 === 0, `a code span breaks across lines at: ${line}`);
    }
  }
});
