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
  for (const f of operands(argv)) env.world.fs.write(env.resolve(f), stdin, append);
  out(stdin);
  return 0;
}

function grep({ argv, stdin, env, out }: ProgramIO): number {
  const args = argv.slice(1);
  const quiet = args.some((a) => /^-[a-zA-Z]*q/.test(a));
  const fixed = args.some((a) => /^-[a-zA-Z]*F/.test(a));
  const [pattern = "", ...files] = args.filter((a) => !a.startsWith("-"));
  const text =
    files.length === 0 ? stdin : files.map((f) => env.world.fs.read(env.resolve(f)) ?? "").join("");
  let re: RegExp | undefined;
  try {
    re = fixed ? undefined : new RegExp(pattern);
  } catch {
    re = undefined;
  }
  const hits = text
    .split("\n")
    .filter((l, i, all) => (i < all.length - 1 || l !== "") && (re ? re.test(l) : l.includes(pattern)));
  if (!quiet) out(hits.map((l) => `${l}\n`).join(""));
  return hits.length > 0 ? 0 : 1;
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
  head: lines((all, n) => all.slice(0, n)),
  tail: lines((all, n) => all.slice(-n)),
  mkdir: ({ argv, env }) => {
    for (const d of operands(argv)) env.world.fs.mkdir(env.resolve(d));
    return 0;
  },
  touch: ({ argv, env }) => {
    for (const f of operands(argv)) {
      const p = env.resolve(f);
      if (!env.world.fs.exists(p)) env.world.fs.write(p, "");
    }
    return 0;
  },
  rm: ({ argv, env }) => {
    for (const f of operands(argv)) env.world.fs.remove(env.resolve(f));
    return 0;
  },
  cp: ({ argv, env, err }) => copy(argv, env, err, false),
  mv: ({ argv, env, err }) => copy(argv, env, err, true),
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
  const content = env.world.fs.read(src);
  if (content === undefined || to === undefined) {
    err(`${argv[0]}: cannot stat '${from}': No such file or directory\n`);
    return 1;
  }
  let dest = env.resolve(to);
  if (env.world.fs.isDir(dest)) dest = `${dest}/${src.slice(src.lastIndexOf("/") + 1)}`;
  env.world.fs.write(dest, content);
  if (move) env.world.fs.remove(src);
  return 0;
}
