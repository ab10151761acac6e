/**
 * Executes a parsed script against a ShellWorld: redirections through a small fd table,
 * pipelines (sequential, stdout → stdin), `&&`/`||`, `set -e`, control flow, builtins, then the
 * world's programs; anything unknown is `sh: 1: <name>: not found` with status 127.
 */
import type { Command, Redirect } from "./ast.js";
import { BUILTINS } from "./builtins.js";
import { type ExpandContext, expandHereDoc, expandToString, expandWord } from "./expand.js";
import { parseScript } from "./parser.js";
import { ShellSyntaxError } from "./tokenizer.js";
import { ExitSignal, resolvePath, type ShellEnv, type ShellResult, type ShellWorld } from "./types.js";

interface Sink {
  out(text: string): void;
  err(text: string): void;
}

/** Runs a script in a fresh shell of `world`. `args` become $0… (unused by most scripts). */
export function runShell(
  world: ShellWorld,
  script: string,
  options: { stdin?: string; vars?: ReadonlyMap<string, string>; cwd?: string } = {},
): ShellResult {
  const shell = new Shell(
    world,
    new Map(
      options.vars ?? [
        ["HOME", "/root"],
        ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      ],
    ),
    options.cwd ?? "/root",
  );
  return shell.run(script, options.stdin ?? "");
}

/** Runs one argv directly (no parsing), as `exec` would: used by `pct exec … -- cmd args`. */
export function runArgv(world: ShellWorld, argv: readonly string[], stdin: string): ShellResult {
  try {
    return new Shell(world, new Map([["HOME", "/root"]]), "/root").exec(argv, stdin);
  } catch (err) {
    if (err instanceof ExitSignal) return { code: err.code, stdout: "", stderr: "" };
    throw err;
  }
}

/** Buffers what a command writes. */
class CollectingSink implements Sink {
  #stdout = "";
  #stderr = "";
  readonly out = (text: string): void => {
    this.#stdout += text;
  };
  readonly err = (text: string): void => {
    this.#stderr += text;
  };
  result(code: number): ShellResult {
    return { code, stdout: this.#stdout, stderr: this.#stderr };
  }
}

class Shell implements ShellEnv {
  readonly world: ShellWorld;
  readonly vars: Map<string, string>;
  cwd: string;
  errexit = false;
  umask = 0o022;
  lastCode = 0;

  constructor(world: ShellWorld, vars: Map<string, string>, cwd: string) {
    this.world = world;
    this.vars = vars;
    this.cwd = cwd;
  }

  resolve(p: string): string {
    return resolvePath(this.cwd, p);
  }

  runScript(script: string, stdin: string): ShellResult {
    const child = new Shell(this.world, new Map(this.vars), this.cwd);
    child.umask = this.umask; // a child process inherits the mask
    return child.run(script, stdin);
  }

  exec(argv: readonly string[], stdin: string): ShellResult {
    const sink = new CollectingSink();
    const code = this.invoke(argv, stdin, sink);
    return sink.result(code);
  }

  run(script: string, stdin: string): ShellResult {
    const sink = new CollectingSink();
    let code: number;
    try {
      code = this.#exec(parseScript(script), stdin, sink, false);
    } catch (err) {
      if (err instanceof ExitSignal) code = err.code;
      else if (err instanceof ShellSyntaxError) {
        sink.err(`sh: 1: ${err.message}\n`);
        code = 2;
      } else throw err;
    }
    return sink.result(code);
  }

  /** Runs a builtin or program by argv. */
  invoke(argv: readonly string[], stdin: string, sink: Sink): number {
    const name = argv[0] ?? "";
    const program =
      BUILTINS[name] ?? this.world.program(name.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name);
    if (!program) {
      sink.err(`sh: 1: ${name}: not found\n`);
      return 127;
    }
    return program({ argv, stdin, env: this, out: sink.out, err: sink.err });
  }

  #exec(cmd: Command, stdin: string, sink: Sink, condition: boolean): number {
    const code = this.#execInner(cmd, stdin, sink, condition);
    this.lastCode = code;
    const checked = cmd.type === "simple" || cmd.type === "pipeline" || cmd.type === "group";
    if (checked && code !== 0 && this.errexit && !condition && !(cmd.type === "pipeline" && cmd.negate)) {
      throw new ExitSignal(code);
    }
    return code;
  }

  #execInner(cmd: Command, stdin: string, sink: Sink, condition: boolean): number {
    switch (cmd.type) {
      case "simple":
        return this.#simple(cmd, stdin, sink);
      case "list": {
        let code = 0;
        for (const item of cmd.items) code = this.#exec(item, stdin, sink, condition);
        return code;
      }
      case "andor": {
        let code = this.#exec(cmd.first, stdin, sink, true);
        cmd.rest.forEach(({ op, command }, i) => {
          if ((op === "&&") === (code === 0))
            code = this.#exec(command, stdin, sink, condition || i < cmd.rest.length - 1);
        });
        return code;
      }
      case "pipeline": {
        let input = stdin;
        let code = 0;
        cmd.commands.forEach((c, i) => {
          const last = i === cmd.commands.length - 1;
          let captured = "";
          const stage: Sink = last
            ? sink
            : {
                out: (t) => {
                  captured += t;
                },
                err: sink.err,
              };
          code = this.#exec(c, input, stage, condition || cmd.negate || !last);
          input = captured;
        });
        return cmd.negate ? (code === 0 ? 1 : 0) : code;
      }
      case "if": {
        for (const b of cmd.branches) {
          if (this.#exec(b.cond, stdin, sink, true) === 0) return this.#exec(b.body, stdin, sink, condition);
        }
        return cmd.otherwise ? this.#exec(cmd.otherwise, stdin, sink, condition) : 0;
      }
      case "for": {
        let code = 0;
        const items = cmd.items.flatMap((w) => expandWord(w, this.#expandCtx()));
        for (const item of items) {
          this.vars.set(cmd.name, item);
          code = this.#exec(cmd.body, stdin, sink, condition);
        }
        return code;
      }
      case "while": {
        let code = 0;
        for (let guard = 0; guard < 1000; guard++) {
          const ok = this.#exec(cmd.cond, stdin, sink, true) === 0;
          if (ok === cmd.until) break;
          code = this.#exec(cmd.body, stdin, sink, condition);
        }
        return code;
      }
      case "group":
        return this.#withRedirects(cmd.redirects, stdin, sink, (input, s) =>
          this.#exec(cmd.body, input, s, condition),
        );
    }
  }

  #simple(cmd: Extract<Command, { type: "simple" }>, stdin: string, sink: Sink): number {
    const ctx = this.#expandCtx();
    for (const a of cmd.assigns) this.vars.set(a.name, expandToString(a.value, ctx));
    const argv = cmd.words.flatMap((w) => expandWord(w, ctx));
    return this.#withRedirects(cmd.redirects, stdin, sink, (input, s) =>
      argv.length === 0 ? 0 : this.invoke(argv, input, s),
    );
  }

  /** Applies redirections in order (so `>/dev/null 2>&1` and `2>&1 >f` both behave), then runs. */
  #withRedirects(
    redirects: readonly Redirect[],
    stdin: string,
    sink: Sink,
    run: (stdin: string, sink: Sink) => number,
  ): number {
    if (redirects.length === 0) return run(stdin, sink);
    const ctx = this.#expandCtx();
    const files = new Map<string, { text: string; append: boolean }>();
    type Target = { kind: "sink"; fd: 1 | 2 } | { kind: "file"; path: string };
    const fds = new Map<number, Target>([
      [1, { kind: "sink", fd: 1 }],
      [2, { kind: "sink", fd: 2 }],
    ]);
    let input = stdin;
    for (const r of redirects) {
      if (r.heredoc) {
        input = r.heredoc.quoted ? r.heredoc.body : expandHereDoc(r.heredoc.body, ctx);
        continue;
      }
      const target = r.target ? expandToString(r.target, ctx) : "";
      if (r.op === ">&" || r.op === "<&") {
        const dup = fds.get(Number(target));
        if (dup) fds.set(r.fd, dup);
      } else if (r.op === "<") {
        const content = this.world.fs.read(this.resolve(target));
        if (content === undefined) {
          sink.err(`sh: 1: cannot open ${target}: No such file\n`);
          return 2;
        }
        input = content;
      } else {
        const path = this.resolve(target);
        files.set(path, { text: "", append: r.op === ">>" });
        fds.set(r.fd, { kind: "file", path });
      }
    }
    const write = (fd: number) => (text: string) => {
      const t = fds.get(fd);
      if (t?.kind === "file") files.get(t.path)!.text += text;
      else if (t?.fd === 2) sink.err(text);
      else sink.out(text);
    };
    const code = run(input, { out: write(1), err: write(2) });
    for (const [path, f] of files) this.world.fs.write(path, f.text, f.append, 0o666 & ~this.umask);
    return code;
  }

  #expandCtx(): ExpandContext {
    return {
      env: this,
      lastCode: this.lastCode,
      substitute: (script) => this.runScript(script, "").stdout,
    };
  }
}
