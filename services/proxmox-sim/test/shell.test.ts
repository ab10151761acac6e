import { describe, expect, it } from "vitest";
import { COREUTILS } from "../src/shell/coreutils.js";
import { runShell } from "../src/shell/interpreter.js";
import { createMemoryFs } from "../src/shell/memory-fs.js";
import { splitWords } from "../src/shell/tokenizer.js";
import type { ShellWorld } from "../src/shell/types.js";

function world(): ShellWorld & { files: Map<string, string> } {
  const files = new Map<string, string>();
  const fs = createMemoryFs(files, new Set(["/", "/root", "/tmp"]));
  return { files, fs, program: (name) => COREUTILS[name] };
}

describe("shell", () => {
  it("splitWords - POSIX quoting: single, double with escapes, backslashes, '\\'' joins", () => {
    expect(splitWords(`sh -c 'it'\\''s "x" $HOME'`)).toEqual(["sh", "-c", `it's "x" $HOME`]);
    expect(splitWords(`a "b \\"c\\" \\\\ \\$d" e\\ f ''`)).toEqual(["a", `b "c" \\ $d`, "e f", ""]);
  });

  it("heredocs - quoted delimiter keeps the body literal, unquoted expands, <<- strips tabs", () => {
    const w = world();
    const r = runShell(
      w,
      "X=1\ncat > /tmp/a <<'EOF'\n$X `y`\nEOF\ncat > /tmp/b <<EOF\nx=$X $\nEOF\ncat <<-END\n\tindented\n\tEND\n",
    );
    expect(r).toEqual({ code: 0, stdout: "indented\n", stderr: "" });
    expect(w.files.get("/tmp/a")).toBe("$X `y`\n");
    expect(w.files.get("/tmp/b")).toBe("x=1 $\n");
  });

  it("control flow - && || !, if/elif/else, for, set -e only outside conditions", () => {
    const w = world();
    const script = [
      "set -e",
      "false || echo or",
      "true && echo and",
      "if ! test -f /tmp/x; then echo missing; elif true; then echo no; else echo no; fi",
      "for i in 1 2; do echo n$i; done",
      "if false; then :; fi",
      "false",
      "echo never",
    ].join("\n");
    expect(runShell(w, script)).toEqual({ code: 1, stdout: "or\nand\nmissing\nn1\nn2\n", stderr: "" });
  });

  it("redirections - order matters, append, /dev/null, 2>&1, pipes", () => {
    const w = world();
    const r = runShell(
      w,
      "echo a > /tmp/f; echo b >> /tmp/f; nope 2>/dev/null; nope2 >/dev/null 2>&1; cat /tmp/f | grep b; cat /missing 2>&1",
    );
    expect(r.stdout).toBe("b\ncat: /missing: No such file or directory\n");
    expect(r.stderr).toBe("");
    expect(w.files.get("/tmp/f")).toBe("a\nb\n");
  });

  it("expansion - $VAR, default values, $(cmd), field splitting, lone $, syntax errors exit 2", () => {
    const w = world();
    const defaulted = ["$", "{B:-dflt}"].join("");
    expect(
      runShell(w, `A="x  y"; for w in $A; do echo "[$w]"; done; echo "${defaulted}" $(echo sub) cost $ 5`)
        .stdout,
    ).toBe("[x]\n[y]\ndflt sub cost $ 5\n");
    expect(runShell(w, "echo 'unterminated").code).toBe(2);
  });
});
