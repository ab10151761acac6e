import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateSshKeyPair } from "./ssh/host-keys.js";

/**
 * Loads each node's SSH host key from `<dir>/<node>.key`, creating missing ones, so a restarted
 * simulator presents the same keys like a real node does (hosts registered with its fingerprints
 * keep working).
 */
export async function loadOrCreateHostKeys(
  dir: string,
  nodes: readonly string[],
): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys: Record<string, string> = {};
  for (const node of nodes) {
    const file = join(dir, `${node}.key`);
    if (!existsSync(file)) await writeFile(file, generateSshKeyPair().private, { mode: 0o600 });
    keys[node] = await readFile(file, "utf8");
  }
  return keys;
}
