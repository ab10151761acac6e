/**
 * ShellFs over a files map, a directory set and permission bits (the container's Guest, or a node's
 * scratch space). Files without a mode entry are 0o644, directories 0o755.
 */
import type { ShellFs } from "./types.js";

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

export function createMemoryFs(
  files: Map<string, string>,
  dirs: Set<string>,
  modes: Map<string, number> = new Map(),
): ShellFs {
  const addParents = (path: string) => {
    let dir = path;
    while (dir !== "/" && dir !== "") {
      dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
      dirs.add(dir);
    }
  };
  const removeUnder = (path: string) => {
    for (const f of [...files.keys()]) if (f.startsWith(`${path}/`)) files.delete(f);
    for (const d of [...dirs]) if (d.startsWith(`${path}/`)) dirs.delete(d);
    for (const m of [...modes.keys()]) if (m.startsWith(`${path}/`)) modes.delete(m);
  };
  return {
    read: (path) => (path === "/dev/null" ? "" : files.get(path)),
    write(path, content, append = false, createMode = FILE_MODE) {
      if (path === "/dev/null") return;
      addParents(path);
      const existing = files.get(path);
      if (existing === undefined && createMode !== FILE_MODE) modes.set(path, createMode);
      files.set(path, append ? (existing ?? "") + content : content);
    },
    mode(path) {
      if (files.has(path)) return modes.get(path) ?? FILE_MODE;
      if (dirs.has(path)) return modes.get(path) ?? DIR_MODE;
      return undefined;
    },
    chmod(path, mode) {
      if (files.has(path) || dirs.has(path)) modes.set(path, mode & 0o7777);
    },
    mkdir(path) {
      dirs.add(path);
      addParents(path);
    },
    exists: (path) => files.has(path) || dirs.has(path) || path === "/dev/null",
    isDir: (path) => dirs.has(path),
    remove(path) {
      const wasDir = dirs.has(path);
      files.delete(path);
      dirs.delete(path);
      modes.delete(path);
      // A file has no children: only a directory needs the (linear) scan.
      if (wasDir) removeUnder(path);
    },
    rename(from, to) {
      if (from === to) return;
      const moved = (p: string) => to + p.slice(from.length);
      const under = (p: string) => p === from || p.startsWith(`${from}/`);
      for (const [f, content] of [...files]) {
        if (under(f)) {
          files.delete(f);
          files.set(moved(f), content);
        }
      }
      for (const d of [...dirs]) {
        if (under(d)) {
          dirs.delete(d);
          dirs.add(moved(d));
        }
      }
      for (const [m, mode] of [...modes]) {
        if (under(m)) {
          modes.delete(m);
          modes.set(moved(m), mode);
        }
      }
      addParents(to);
    },
  };
}
