/**
 * The contract between the shell interpreter and the "world" it runs in (a PVE node or a
 * container): a file system and a table of programs.
 */

/** A minimal in-memory file system, paths absolute and normalized. */
export interface ShellFs {
  read(path: string): string | undefined;
  /** Writes a file; a file that did not exist gets `createMode` (default 0o644), an existing one keeps its mode. */
  write(path: string, content: string, append?: boolean, createMode?: number): void;
  /** Permission bits of a file or directory (undefined when it does not exist). */
  mode(path: string): number | undefined;
  chmod(path: string, mode: number): void;
  mkdir(path: string): void;
  exists(path: string): boolean;
  isDir(path: string): boolean;
  remove(path: string): void;
  /** Renames a file or a whole directory tree (contents and modes move with it). */
  rename(from: string, to: string): void;
}

/** What a program sees when it runs. */
export interface ProgramIO {
  /** argv[0] is the program name as typed. */
  readonly argv: readonly string[];
  readonly stdin: string;
  readonly env: ShellEnv;
  out(text: string): void;
  err(text: string): void;
}

/** Runs and returns the exit status. */
export type Program = (io: ProgramIO) => number;

/** The shell state a program may read or change (cwd, variables) and run scripts with. */
export interface ShellEnv {
  readonly world: ShellWorld;
  cwd: string;
  /** `set -e` state. */
  errexit: boolean;
  /** File creation mask (`umask 077`); new files get 0o666 & ~umask. */
  umask: number;
  readonly vars: Map<string, string>;
  /** Absolute path for `p` relative to the cwd. */
  resolve(p: string): string;
  /** Runs `script` in a child shell (like `sh -c`), sharing the world, copying variables. */
  runScript(script: string, stdin: string, args?: readonly string[]): ShellResult;
  /** Runs one argv (builtin or program), for wrappers like `timeout`, `env`, `nohup`. */
  exec(argv: readonly string[], stdin: string): ShellResult;
}

export interface ShellWorld {
  readonly fs: ShellFs;
  /** The program for a name (after builtins); undefined = "not found" (exit 127). */
  program(name: string): Program | undefined;
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Thrown to leave the shell (`exit`, `set -e`). */
export class ExitSignal {
  constructor(readonly code: number) {}
}

/** Normalizes an absolute or cwd-relative path. */
export function resolvePath(cwd: string, p: string): string {
  const parts = (p.startsWith("/") ? p : `${cwd}/${p}`).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}
