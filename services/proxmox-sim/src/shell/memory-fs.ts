/**
 * ShellFs over a files map and a directory set (the container's Guest, or a node's scratch space).
 */
import type { ShellFs } from "./types.js";

export function createMemoryFs(files: Map<string, string>, dirs: Set<string>): ShellFs {
  const addParents = (path: string) => {
    let dir = path;
    while (dir !== "/" && dir !== "") {
      dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
      dirs.add(dir);
    }
  };
  return {
    read: (path) => (path === "/dev/null" ? "" : files.get(path)),
    write(path, content, append = false) {
      if (path === "/dev/null") return;
      addParents(path);
      files.set(path, append ? (files.get(path) ?? "") + content : content);
    },
    mkdir(path) {
      dirs.add(path);
      addParents(path);
    },
    exists: (path) => files.has(path) || dirs.has(path) || path === "/dev/null",
    isDir: (path) => dirs.has(path),
    remove(path) {
      files.delete(path);
      dirs.delete(path);
      for (const f of [...files.keys()]) if (f.startsWith(`${path}/`)) files.delete(f);
      for (const d of [...dirs]) if (d.startsWith(`${path}/`)) dirs.delete(d);
    },
  };
}
