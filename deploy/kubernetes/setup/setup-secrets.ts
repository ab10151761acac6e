/**
 * What the setup Job keeps in Kubernetes Secrets. Compose keeps init's output in volumes; on
 * Kubernetes each directory init writes (deploy/init.ts: trust bundles, NATS configuration, bus
 * admin seed, simulator credentials, bootstrap host) is one Secret, so a pod mounts exactly the
 * Secret it needs and nothing else. The Job restores every Secret that exists into its scratch
 * directory, runs init there (which keeps what it finds: keys, credentials, database passwords),
 * then publishes every directory back. Directories are flat: one file, one Secret key.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceIdentities } from "../../../packages/identity/src/index.js";

/** Where init writes below the Job's scratch directory (its TRUST_DIR, BUS_ADMIN_DIR, …). */
export const SetupLayout = {
  /** TRUST_DIR: `ca/`, `public/` and one bundle directory per identity. */
  trust: "keys",
  /** Directory of NATS_CONFIG_FILE (`nats.conf`). */
  natsConfig: "nats-config",
  /** BUS_ADMIN_DIR (`bus-admin.seed`). */
  busAdmin: "bus-admin",
  /** SIM_DIR (development: the simulator's credentials; `host-keys/` below it). */
  simulator: "sim",
  /** Directory of SIM_BOOTSTRAP_FILE (`host.json`, for the hosts service). */
  hostsBootstrap: "hosts-bootstrap",
} as const;

/** The Secret holding identity `name`'s bundle: what that service mounts at SERVICE_KEYS_DIR. */
export const bundleSecretName = (identity: string) => `proximity-bundle-${identity}`;

/** One Secret of the setup: its name and the directory (below the scratch directory) it holds. */
export interface SetupSecret {
  readonly name: string;
  readonly dir: string;
}

/**
 * Every Secret the setup Job reads and writes (its Role grants exactly these names). The CA, the
 * public keys and the `sre` bundle are the setup's alone; the operator copies `sre` out for the
 * gRPC tooling (README). A directory init did not write (no simulator in production) has none.
 */
export const SetupSecrets: readonly SetupSecret[] = [
  { name: "proximity-ca", dir: join(SetupLayout.trust, "ca") },
  { name: "proximity-public-keys", dir: join(SetupLayout.trust, "public") },
  ...ServiceIdentities.map((identity) => ({
    name: bundleSecretName(identity),
    dir: join(SetupLayout.trust, identity),
  })),
  { name: "proximity-nats-config", dir: SetupLayout.natsConfig },
  { name: "proximity-bus-admin", dir: SetupLayout.busAdmin },
  { name: "proximity-sim-credentials", dir: SetupLayout.simulator },
  { name: "proximity-sim-host-keys", dir: join(SetupLayout.simulator, "host-keys") },
  { name: "proximity-hosts-bootstrap", dir: SetupLayout.hostsBootstrap },
];

/** A Secret as the Kubernetes API carries it (values base64). */
export interface SecretObject {
  readonly apiVersion: "v1";
  readonly kind: "Secret";
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    /** The version a replacement must name (the API's optimistic concurrency). */
    readonly resourceVersion?: string;
  };
  readonly type: "Opaque";
  readonly data: Readonly<Record<string, string>>;
}

/** The Secrets of one namespace, as far as the setup needs them. */
export interface SecretStore {
  /** The Secret, or undefined when there is none. */
  get(name: string): Promise<SecretObject | undefined>;
  /** Creates the Secret or replaces the one of that name. */
  put(secret: SecretObject): Promise<void>;
}

/** Labels of every Secret the setup writes (`kubectl get secret -l app.kubernetes.io/managed-by=proximity-setup`). */
export const SETUP_LABELS = {
  "app.kubernetes.io/part-of": "proximity",
  "app.kubernetes.io/managed-by": "proximity-setup",
} as const;

/** A flat directory's regular files as Secret data (subdirectories are Secrets of their own). */
export function secretDataOf(dir: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const file of readdirSync(dir).sort()) {
    const path = join(dir, file);
    if (statSync(path).isFile()) data[file] = readFileSync(path).toString("base64");
  }
  return data;
}

/** Writes Secret data back as the files it came from (owner-only: init sets its own modes). */
export function writeSecretData(dir: string, data: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [file, value] of Object.entries(data)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(file) || file === "." || file === "..")
      throw new Error(`Secret key ${JSON.stringify(file)} is not a file name`);
    const path = join(dir, file);
    rmSync(path, { force: true });
    writeFileSync(path, Buffer.from(value, "base64"), { mode: 0o600 });
  }
}

/** Puts every Secret that exists into `root`; returns the names restored. */
export async function restoreSetup(store: SecretStore, root: string): Promise<string[]> {
  const restored: string[] = [];
  for (const { name, dir } of SetupSecrets) {
    const secret = await store.get(name);
    if (!secret) continue;
    writeSecretData(join(root, dir), secret.data ?? {});
    restored.push(name);
  }
  return restored;
}

/** Writes every directory init left in `root` as its Secret; returns the names published. */
export async function publishSetup(store: SecretStore, root: string): Promise<string[]> {
  const published: string[] = [];
  for (const { name, dir } of SetupSecrets) {
    const path = join(root, dir);
    if (!existsSync(path)) continue;
    const data = secretDataOf(path);
    if (Object.keys(data).length === 0) continue;
    await store.put({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, labels: SETUP_LABELS },
      type: "Opaque",
      data,
    });
    published.push(name);
  }
  return published;
}
