/**
 * File permission bits in the simulated shell: umask for new files, chmod (octal and symbolic),
 * stat -c, and cp/mv keeping modes as coreutils does.
 */
import { describe, expect, it } from "vitest";
import { COREUTILS } from "../src/shell/coreutils.js";
import { runShell } from "../src/shell/interpreter.js";
import { createMemoryFs } from "../src/shell/memory-fs.js";
import type { ShellWorld } from "../src/shell/types.js";

function world(): ShellWorld & { modes: Map<string, number> } {
  const modes = new Map<string, number>();
  const fs = createMemoryFs(new Map(), new Set(["/", "/root", "/tmp"]), modes);
  return { modes, fs, program: (name) => COREUTILS[name] };
}

describe("shell file modes", () => {
  it("umask 077 - files created afterwards (redirect, tee, touch) are 600; before it 644", () => {
    const w = world();
    const r = runShell(
      w,
      "echo a > /tmp/open\numask 077\numask\ncat > /tmp/.env\necho b | tee /tmp/t >/dev/null\ntouch /tmp/u\nstat -c '%a %n' /tmp/open /tmp/.env /tmp/t /tmp/u",
      { stdin: "SECRET='x'\n" },
    );
    expect(r).toEqual({
      code: 0,
      stdout: "0077\n644 /tmp/open\n600 /tmp/.env\n600 /tmp/t\n600 /tmp/u\n",
      stderr: "",
    });
    expect(w.fs.read("/tmp/.env")).toBe("SECRET='x'\n");
  });

  it("umask - a child shell inherits it; rewriting an existing file keeps its mode", () => {
    const w = world();
    const r = runShell(
      w,
      "echo a > /tmp/f\numask 077\nsh -c 'echo b > /tmp/g; echo c > /tmp/f'\nstat -c %a /tmp/f /tmp/g",
    );
    expect(r.stdout).toBe("644\n600\n");
    expect(w.fs.read("/tmp/f")).toBe("c\n");
  });

  it("chmod - octal and symbolic modes; a missing file or bad mode fails", () => {
    const w = world();
    const r = runShell(
      w,
      "touch /tmp/a\nchmod 600 /tmp/a\nstat -c %a /tmp/a\nchmod u+x,g+r /tmp/a\nstat -c %a /tmp/a\nchmod go-rwx /tmp/a\nstat -c %a /tmp/a\nchmod a=r /tmp/a\nstat -c %a /tmp/a",
    );
    expect(r.stdout).toBe("600\n740\n700\n444\n");
    expect(runShell(w, "chmod 600 /tmp/none")).toMatchObject({ code: 1 });
    expect(runShell(w, "chmod x=y /tmp/a")).toMatchObject({
      code: 1,
      stderr: "chmod: invalid mode: 'x=y'\n",
    });
    expect(runShell(w, "umask 9z")).toMatchObject({ code: 2 });
  });

  it("mv keeps the mode, cp applies the umask to the source mode, rm -rf forgets modes", () => {
    const w = world();
    const r = runShell(
      w,
      "mkdir -p /tmp/d\numask 077\necho s > /tmp/d/.env.new\nmv /tmp/d/.env.new /tmp/d/.env\numask 022\ncp /tmp/d/.env /tmp/copy\nchmod 755 /tmp/copy\ncp /tmp/copy /tmp/copy2\nstat -c %a /tmp/d/.env /tmp/copy2\ntest -f /tmp/d/.env.new || echo moved",
    );
    expect(r.stdout).toBe("600\n755\nmoved\n");
    runShell(w, "rm -rf /tmp/d");
    expect([...w.modes.keys()].filter((p) => p.startsWith("/tmp/d"))).toEqual([]);
  });

  it("sed -i and grep -v - the edits scripts make to .env files; an unsupported sed script fails", () => {
    const w = world();
    const r = runShell(
      w,
      "printf 'A=1\\nTAG=old\\nB=2\\n' > /tmp/e\nsed -i '/^B=/d' /tmp/e\nsed -i 's/^TAG=\\(.*\\)/TAG=new-\\1/' /tmp/e\ncat /tmp/e\ngrep -v TAG /tmp/e\ngrep -c = /tmp/e",
    );
    expect(r).toEqual({ code: 0, stdout: "A=1\nTAG=new-old\nA=1\n2\n", stderr: "" });
    expect(runShell(w, "sed -i 'y/a/b/' /tmp/e")).toMatchObject({ code: 1 });
  });

  it("mv DIR - renames the whole tree with its modes, or moves it into an existing directory", () => {
    const w = world();
    const r = runShell(
      w,
      "mkdir -p /opt/a/sub\numask 077\necho x > /opt/a/.env\necho y > /opt/a/sub/f\nmv /opt/a /opt/b\nmkdir /srv\nmv /opt/b /srv\nstat -c '%a %n' /srv/b/.env",
    );
    expect(r).toEqual({ code: 0, stdout: "600 /srv/b/.env\n", stderr: "" });
    expect(w.fs.read("/srv/b/sub/f")).toBe("y\n");
    expect(w.fs.exists("/opt/a")).toBe(false);
    expect(w.fs.exists("/opt/b/.env")).toBe(false);
  });
});
