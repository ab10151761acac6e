import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateSshKeyPair } from "./ssh/host-keys.js";

/** Where a node's host key is kept in a host-key directory. */
export function hostKeyFile(dir: string, node: string): string {
  return join(dir, `${node}.key`);
}

/**
 * Loads each node's SSH host key from `<dir>/<node>.key`, creating missing ones, so a restarted
 * simulator presents the same keys like a real node does (hosts registered with its fingerprints
 * keep working). When every key exists nothing is written, so the directory may be read-only
 * (compose: init generates the keys, the simulator only reads them).
 */
export async function loadOrCreateHostKeys(
  dir: string,
  nodes: readonly string[],
): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const node of nodes) {
    const file = hostKeyFile(dir, node);
    if (!existsSync(file)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(file, generateSshKeyPair().private, { mode: 0o600 });
    }
    keys[node] = await readFile(file, "utf8");
  }
  return keys;
}
