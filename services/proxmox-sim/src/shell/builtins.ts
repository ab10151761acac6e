/**
 * Shell builtins (they change the shell itself or are too basic to belong to a world):
 * `: true false echo printf set export unset cd exit test [ command eval . source read trap …`.
 */
import { ExitSignal, type Program, type ProgramIO } from "./types.js";

const ok: Program = () => 0;

function echo({ argv, out }: ProgramIO): number {
  let args = argv.slice(1);
  let newline = true;
  if (args[0] === "-n") {
    newline = false;
    args = args.slice(1);
  } else if (args[0] === "-e") args = args.slice(1);
  out(args.join(" ").replace(/\\n/g, "\n").replace(/\\t/g, "\t") + (newline ? "\n" : ""));
  return 0;
}

function printf({ argv, out }: ProgramIO): number {
  const [format = "", ...args] = argv.slice(1);
  let i = 0;
  const text = format
    .replace(/%[-0-9.]*([sdb%])/g, (_m, conv: string) => (conv === "%" ? "%" : (args[i++] ?? "")))
    .replace(/\\n/g, "\n")
    .replace(/\\t/g, "\t")
    .replace(/\\\\/g, "\\");
  out(text);
  return 0;
}

/** `test` / `[`: the file and string checks scripts use. */
function test({ argv, env }: ProgramIO): number {
  let args = argv.slice(1);
  if (argv[0] === "[") args = args.slice(0, -1);
  const negate = args[0] === "!";
  if (negate) args = args.slice(1);
  const fs = env.world.fs;
  const path = (p: string | undefined) => env.resolve(p ?? "");
  let result: boolean;
  const [a = "", b, c] = args;
  if (args.length === 1) result = a !== "";
  else if (args.length === 2) {
    const checks: Record<string, () => boolean> = {
      "-f": () => fs.read(path(b)) !== undefined && !fs.isDir(path(b)),
      "-s": () => (fs.read(path(b)) ?? "") !== "",
      "-d": () => fs.isDir(path(b)),
      "-e": () => fs.exists(path(b)),
      "-x": () => fs.exists(path(b)),
      "-r": () => fs.exists(path(b)),
      "-n": () => (b ?? "") !== "",
      "-z": () => (b ?? "") === "",
    };
    result = checks[a]?.() ?? false;
  } else if (args.length === 3) {
    const n = (s: string | undefined) => Number(s);
    const ops: Record<string, () => boolean> = {
      "=": () => a === c,
      "==": () => a === c,
      "!=": () => a !== c,
      "-eq": () => n(a) === n(c),
      "-ne": () => n(a) !== n(c),
      "-gt": () => n(a) > n(c),
      "-ge": () => n(a) >= n(c),
      "-lt": () => n(a) < n(c),
      "-le": () => n(a) <= n(c),
    };
    result = ops[b ?? ""]?.() ?? false;
  } else result = false;
  return result !== negate ? 0 : 1;
}

export const BUILTINS: Readonly<Record<string, Program>> = {
  ":": ok,
  true: ok,
  false: () => 1,
  echo,
  printf,
  test,
  "[": test,
  set: ({ argv, env }) => {
    for (const arg of argv.slice(1)) {
      if (/^-[a-z]*e/.test(arg)) env.errexit = true;
      if (/^\+[a-z]*e/.test(arg)) env.errexit = false;
    }
    return 0;
  },
  export: ({ argv, env }) => {
    for (const arg of argv.slice(1)) {
      const eq = arg.indexOf("=");
      if (eq > 0) env.vars.set(arg.slice(0, eq), arg.slice(eq + 1));
    }
    return 0;
  },
  unset: ({ argv, env }) => {
    for (const name of argv.slice(1)) env.vars.delete(name);
    return 0;
  },
  cd: ({ argv, env, err }) => {
    const target = env.resolve(argv[1] ?? env.vars.get("HOME") ?? "/");
    if (!env.world.fs.isDir(target)) {
      err(`sh: 1: cd: can't cd to ${argv[1]}\n`);
      return 2;
    }
    env.cwd = target;
    return 0;
  },
  pwd: ({ env, out }) => {
    out(`${env.cwd}\n`);
    return 0;
  },
  exit: ({ argv, env }) => {
    throw new ExitSignal(argv[1] === undefined ? Number(env.vars.get("?") ?? 0) : Number(argv[1]) & 255);
  },
  command: ({ argv, env, out }) => {
    // Only `command -v name` matters to scripts (e.g. "is docker installed?").
    if (argv[1] !== "-v" || !argv[2]) return 0;
    const name = argv[2];
    if (!(name in BUILTINS) && !env.world.program(name)) return 1;
    out(name in BUILTINS ? `${name}\n` : `/usr/bin/${name}\n`);
    return 0;
  },
  eval: ({ argv, env, stdin, out, err }) => {
    const r = env.runScript(argv.slice(1).join(" "), stdin);
    out(r.stdout);
    err(r.stderr);
    return r.code;
  },
  ".": (io) => sourceFile(io),
  source: (io) => sourceFile(io),
  read: () => 0,
  trap: ok,
  umask,
  wait: ok,
  shift: ok,
  local: ok,
  ulimit: ok,
};

/** `umask` prints the mask (0022), `umask 077` sets it (octal only, as scripts write it). */
function umask({ argv, env, out, err }: ProgramIO): number {
  const value = argv[1];
  if (value === undefined) {
    out(`${env.umask.toString(8).padStart(4, "0")}\n`);
    return 0;
  }
  if (!/^[0-7]{1,4}$/.test(value)) {
    err(`sh: 1: umask: Illegal number: ${value}\n`);
    return 2;
  }
  env.umask = Number.parseInt(value, 8) & 0o777;
  return 0;
}

function sourceFile({ argv, env, stdin, out, err }: ProgramIO): number {
  const content = env.world.fs.read(env.resolve(argv[1] ?? ""));
  if (content === undefined) {
    err(`sh: 1: .: cannot open ${argv[1]}: No such file\n`);
    return 2;
  }
  const r = env.runScript(content, stdin);
  out(r.stdout);
  err(r.stderr);
  return r.code;
}
