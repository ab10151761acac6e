/** A platform's trust setup on disk, as setup writes it (one bundle per identity, sre's included). */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadServiceKeys, ServiceIdentities, type ServiceKeys } from "@proximity/grpc";
import { writeServiceBundles } from "@proximity/identity";

export interface TrustDir {
  readonly dir: string;
  /** The bundle directory of one identity. */
  bundle(name: string): string;
  /** Every identity's keys, loaded from its bundle (what the services would load). */
  readonly keys: ReadonlyMap<string, ServiceKeys>;
  remove(): Promise<void>;
}

export async function writeTrust(names: readonly string[] = ServiceIdentities): Promise<TrustDir> {
  const dir = await mkdtemp(join(tmpdir(), "proximityctl-trust-"));
  await writeServiceBundles(dir, names);
  const bundle = (name: string) => join(dir, name);
  return {
    dir,
    bundle,
    keys: new Map(names.map((n) => [n, loadServiceKeys(bundle(n), n)])),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
