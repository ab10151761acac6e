/**
 * File utilities over the world's ShellFs (cat, tee, mkdir, rm, touch, cp, mv, ls, head/tail,
 * grep, basename/dirname), plus `sh`/`bash` themselves. Enough for scripts that write config files
 * and check them; options they do not understand are ignored rather than rejected.
 */
import type { Program, ProgramIO } from "./types.js";

const operands = (argv: readonly string[]) => argv.slice(1).filter((a) => !a.startsWith("-") || a === "-");

function cat({ argv, stdin, env, out, err }: ProgramIO): number {
  const files = operands(argv);
  if (files.length === 0) {
    out(stdin);
    return 0;
  }
  let code = 0;
  for (const f of files) {
    const content = f === "-" ? stdin : env.world.fs.read(env.resolve(f));
    if (content === undefined) {
      err(`cat: ${f}: No such file or directory\n`);
      code = 1;
    } else out(content);
  }
  return code;
}

function tee({ argv, stdin, env, out }: ProgramIO): number {
  const append = argv.includes("-a");
  for (const f of operands(argv)) env.world.fs.write(env.resolve(f), stdin, append, 0o666 & ~env.umask);
  out(stdin);
  return 0;
}

function grep({ argv, stdin, env, out }: ProgramIO): number {
  const args = argv.slice(1);
  const flag = (c: string) => args.some((a) => new RegExp(`^-[a-zA-Z]*${c}`).test(a));
  const [quiet, fixed, invert, whole, count] = ["q", "F", "v", "x", "c"].map(flag);
  const [pattern = "", ...files] = args.filter((a) => !a.startsWith("-"));
  const text =
    files.length === 0 ? stdin : files.map((f) => env.world.fs.read(env.resolve(f)) ?? "").join("");
  let re: RegExp | undefined;
  try {
    re = fixed ? undefined : new RegExp(whole ? `^(?:${pattern})$` : pattern);
  } catch {
    re = undefined;
  }
  const matches = (l: string) => (re ? re.test(l) : whole ? l === pattern : l.includes(pattern));
  const hits = text
    .split("\n")
    .filter((l, i, all) => (i < all.length - 1 || l !== "") && matches(l) !== invert);
  if (count && !quiet) out(`${hits.length}\n`);
  else if (!quiet) out(hits.map((l) => `${l}\n`).join(""));
  return hits.length > 0 ? 0 : 1;
}

/**
 * `sed [-i] [-e] SCRIPT [FILE]` for the two forms scripts use: `s/re/repl/[g]` (any delimiter,
 * `&` and `\1` in the replacement) and `/re/d`, `;`-separated. Anything else fails loudly rather
 * than pretending to have edited a file.
 */
function sed({ argv, stdin, env, out, err }: ProgramIO): number {
  const args = argv.slice(1);
  const inPlace = args.some((a) => /^-[a-zA-Z]*i/.test(a));
  const rest = args.filter((a, i) => !a.startsWith("-") || args[i - 1] === "-e");
  const [script = "", ...files] = rest;
  const extended = args.some((a) => /^-[a-zA-Z]*[Er]/.test(a));
  const commands = script
    .split(/;\s*/)
    .filter(Boolean)
    .map((c) => parseSed(c, extended));
  if (commands.some((c) => c === undefined)) {
    err(`sed: -e expression #1: unsupported command in simulator: ${script}\n`);
    return 1;
  }
  const edit = (text: string) => {
    const lines = text.split("\n");
    const trailing = lines[lines.length - 1] === "" ? lines.pop() : undefined;
    const kept: string[] = [];
    for (const line of lines) {
      let l: string | undefined = line;
      for (const c of commands) if (l !== undefined) l = c!(l);
      if (l !== undefined) kept.push(l);
    }
    return kept.join("\n") + (trailing !== undefined && kept.length > 0 ? "\n" : "");
  };
  if (files.length === 0) {
    out(edit(stdin));
    return 0;
  }
  for (const f of files) {
    const path = env.resolve(f);
    const content = env.world.fs.read(path);
    if (content === undefined) {
      err(`sed: can't read ${f}: No such file or directory\n`);
      return 2;
    }
    if (inPlace) env.world.fs.write(path, edit(content));
    else out(edit(content));
  }
  return 0;
}

function parseSed(cmd: string, extended: boolean): ((line: string) => string | undefined) | undefined {
  const regex = (source: string, flags?: string) => new RegExp(extended ? source : breToJs(source), flags);
  const del = /^\/(.*)\/d$/.exec(cmd);
  if (del) {
    const re = regex(del[1]!);
    return (line) => (re.test(line) ? undefined : line);
  }
  const d = cmd[1];
  if (cmd[0] !== "s" || d === undefined) return undefined;
  const parts = cmd.slice(2).split(d);
  if (parts.length !== 3 || !/^g?$/.test(parts[2]!)) return undefined;
  const re = regex(parts[0]!, parts[2]);
  const replacement = parts[1]!
    .replace(/\$/g, "$$$$")
    .replace(/\\(\d)/g, "$$$1")
    .replace(/(^|[^\\])&/g, "$1$$&");
  return (line) => line.replace(re, replacement);
}

/** POSIX basic regex to JS: `\(`, `\)`, `\{`, `\}`, `\+`, `\?`, `\|` are operators, the bare ones literal. */
function breToJs(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "\\" && next !== undefined && "(){}+?|".includes(next)) {
      out += next;
      i++;
    } else if (c === "\\" && next !== undefined) {
      out += c + next;
      i++;
    } else out += "(){}+?|".includes(c) ? `\\${c}` : c;
  }
  return out;
}

function lines(pick: (all: string[], n: number) => string[]): Program {
  return ({ argv, stdin, env, out }) => {
    const nArg = argv.find((a) => /^-n?\d+$/.test(a)) ?? argv[argv.indexOf("-n") + 1];
    const n = Math.abs(Number(String(nArg ?? "10").replace("-n", ""))) || 10;
    const file = operands(argv).find((a) => !/^\d+$/.test(a));
    const text = file ? (env.world.fs.read(env.resolve(file)) ?? "") : stdin;
    const all = text.split("\n");
    if (all[all.length - 1] === "") all.pop();
    out(
      pick(all, n)
        .map((l) => `${l}\n`)
        .join(""),
    );
    return 0;
  };
}

function shell({ argv, stdin, env, out, err }: ProgramIO): number {
  const args = argv.slice(1);
  const c = args.indexOf("-c");
  let script: string | undefined;
  if (c >= 0) script = args[c + 1] ?? "";
  else {
    const file = args.find((a) => !a.startsWith("-"));
    if (file) {
      script = env.world.fs.read(env.resolve(file));
      if (script === undefined) {
        err(`${argv[0]}: 0: cannot open ${file}: No such file\n`);
        return 2;
      }
    } else script = stdin; // `curl … | sh`
  }
  const r = env.runScript(script, c >= 0 || args.some((a) => !a.startsWith("-")) ? stdin : "");
  out(r.stdout);
  err(r.stderr);
  return r.code;
}

/** Runs argv[from…] as a command: the tail of `timeout`, `nohup`, `sudo`, `env`. */
function delegate(io: ProgramIO, from: number): number {
  const rest = io.argv.slice(from);
  if (rest.length === 0) return 0;
  const r = io.env.exec(rest, io.stdin);
  io.out(r.stdout);
  io.err(r.stderr);
  return r.code;
}

/** `timeout [-s SIG] [-k D] [--foreground] DURATION cmd…`: commands here finish instantly. */
function timeout(io: ProgramIO): number {
  let i = 1;
  while (io.argv[i]?.startsWith("-")) i += /^(-s|-k|--signal|--kill-after)$/.test(io.argv[i]!) ? 2 : 1;
  return delegate(io, i + 1);
}

export const COREUTILS: Readonly<Record<string, Program>> = {
  timeout,
  nohup: (io) => delegate(io, 1),
  sudo: (io) => {
    const at = io.argv.findIndex((a, i) => i > 0 && !a.startsWith("-"));
    return at < 0 ? 0 : delegate(io, at);
  },
  env: (io) => {
    const at = io.argv.findIndex((a, i) => i > 0 && !a.includes("=") && !a.startsWith("-"));
    return at < 0 ? 0 : delegate(io, at);
  },
  sh: shell,
  bash: shell,
  dash: shell,
  cat,
  tee,
  grep,
  sed,
  head: lines((all, n) => all.slice(0, n)),
  tail: lines((all, n) => all.slice(-n)),
  mkdir: ({ argv, env }) => {
    for (const d of operands(argv)) env.world.fs.mkdir(env.resolve(d));
    return 0;
  },
  touch: ({ argv, env }) => {
    for (const f of operands(argv)) {
      const p = env.resolve(f);
      if (!env.world.fs.exists(p)) env.world.fs.write(p, "", false, 0o666 & ~env.umask);
    }
    return 0;
  },
  rm: ({ argv, env }) => {
    for (const f of operands(argv)) env.world.fs.remove(env.resolve(f));
    return 0;
  },
  cp: ({ argv, env, err }) => copy(argv, env, err, false),
  mv: ({ argv, env, err }) => copy(argv, env, err, true),
  chmod,
  stat,
  ls: ({ argv, env, out, err }) => {
    const target = env.resolve(operands(argv)[0] ?? ".");
    if (!env.world.fs.exists(target)) {
      err(`ls: cannot access '${operands(argv)[0]}': No such file or directory\n`);
      return 2;
    }
    out(`${target.slice(target.lastIndexOf("/") + 1)}\n`);
    return 0;
  },
  basename: ({ argv, out }) => {
    const p = (argv[1] ?? "").replace(/\/+$/, "");
    out(`${p.slice(p.lastIndexOf("/") + 1)}\n`);
    return 0;
  },
  dirname: ({ argv, out }) => {
    const p = argv[1] ?? "";
    out(`${p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : "."}\n`);
    return 0;
  },
};

function copy(
  argv: readonly string[],
  env: ProgramIO["env"],
  err: (t: string) => void,
  move: boolean,
): number {
  const [from, to] = operands(argv);
  const src = env.resolve(from ?? "");
  if (move && to !== undefined && env.world.fs.isDir(src)) return moveDir(src, env.resolve(to), env);
  const content = env.world.fs.read(src);
  if (content === undefined || to === undefined) {
    err(`${argv[0]}: cannot stat '${from}': No such file or directory\n`);
    return 1;
  }
  const fs = env.world.fs;
  let dest = env.resolve(to);
  if (fs.isDir(dest)) dest = `${dest}/${src.slice(src.lastIndexOf("/") + 1)}`;
  const srcMode = fs.mode(src) ?? 0o644;
  // cp creates with the source's mode under the umask; mv renames, so the inode keeps its mode.
  fs.write(dest, content, false, srcMode & ~env.umask);
  if (move) {
    fs.chmod(dest, srcMode);
    if (dest !== src) fs.remove(src);
  }
  return 0;
}

/** `mv DIR DEST`: renames the tree (into DEST when DEST is an existing directory, as mv does). */
function moveDir(src: string, to: string, env: ProgramIO["env"]): number {
  const dest = env.world.fs.isDir(to) ? `${to}/${src.slice(src.lastIndexOf("/") + 1)}` : to;
  env.world.fs.rename(src, dest);
  return 0;
}

/** `chmod [-R] MODE FILE…`: octal modes and the symbolic forms scripts use (u+x, go-rwx, a=r). */
function chmod({ argv, env, err }: ProgramIO): number {
  const [spec = "", ...files] = argv.slice(1).filter((a) => !/^-[Rfv]+$/.test(a));
  let code = 0;
  for (const f of files) {
    const path = env.resolve(f);
    const current = env.world.fs.mode(path);
    const next = current === undefined ? undefined : applyMode(spec, current);
    if (current === undefined) err(`chmod: cannot access '${f}': No such file or directory\n`);
    else if (next === undefined) err(`chmod: invalid mode: '${spec}'\n`);
    else env.world.fs.chmod(path, next);
    if (next === undefined) code = 1;
  }
  return code;
}

function applyMode(spec: string, current: number): number | undefined {
  if (/^[0-7]{1,4}$/.test(spec)) return Number.parseInt(spec, 8);
  let mode = current;
  for (const clause of spec.split(",")) {
    const m = /^([ugoa]*)([-+=])([rwx]*)$/.exec(clause);
    if (!m) return undefined;
    const who = m[1] === "" || m[1]!.includes("a") ? "ugo" : m[1]!;
    const bits =
      (m[3]!.includes("r") ? 4 : 0) | (m[3]!.includes("w") ? 2 : 0) | (m[3]!.includes("x") ? 1 : 0);
    let mask = 0;
    let value = 0;
    for (const [c, shift] of [
      ["u", 6],
      ["g", 3],
      ["o", 0],
    ] as const) {
      if (!who.includes(c)) continue;
      mask |= 7 << shift;
      value |= bits << shift;
    }
    if (m[2] === "+") mode |= value;
    else if (m[2] === "-") mode &= ~value;
    else mode = (mode & ~mask) | value;
  }
  return mode;
}

/** `stat -c FORMAT FILE…` with %a (octal mode), %n (name), %s (size), %U/%G (root). */
function stat({ argv, env, out, err }: ProgramIO): number {
  const args = argv.slice(1);
  const c = args.findIndex((a) => a === "-c" || a === "--format" || a.startsWith("--format="));
  const format =
    c < 0 ? "%n %s %a" : args[c]!.startsWith("--format=") ? args[c]!.slice(9) : (args[c + 1] ?? "");
  const files = args.filter((a, i) => !a.startsWith("-") && (c < 0 || i !== c + 1));
  let code = 0;
  for (const f of files) {
    const path = env.resolve(f);
    const mode = env.world.fs.mode(path);
    if (mode === undefined) {
      err(`stat: cannot statx '${f}': No such file or directory\n`);
      code = 1;
      continue;
    }
    const size = Buffer.byteLength(env.world.fs.read(path) ?? "");
    const fields: Record<string, string> = {
      a: mode.toString(8),
      n: f,
      s: String(size),
      U: "root",
      G: "root",
    };
    out(`${format.replace(/%([anUGs%])/g, (_m, k: string) => (k === "%" ? "%" : fields[k]!))}\n`);
  }
  return code;
}
