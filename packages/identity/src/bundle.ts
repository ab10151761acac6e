import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fromSeed } from "nkeys.js";
import { createPlatformCa, issueServiceCertificate, type PlatformCa } from "./certificates.js";
import { generateNatsUser } from "./generate.js";
import { serviceOfCertificate } from "./peer.js";
import type { ServiceKeys } from "./service-keys.js";

/**
 * Files of one service's bundle (`<dir>/<service>/`). Only the service's own private material is
 * in it; the peers' public keys and the CA certificate are public.
 */
export const BundleFiles = {
  signingKey: (self: string) => `${self}.key`,
  publicKey: (name: string) => `${name}.pub`,
  caCert: "ca.crt",
  tlsCert: "tls.crt",
  tlsKey: "tls.key",
  natsSeed: "nats.seed",
} as const;

export interface WriteBundlesOptions {
  /** Owner of the written files (a container's non-root user); default: the current user. */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /** Extra DNS names per service (e.g. the compose or Kubernetes service name). */
  readonly dnsNames?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Writes (once) the platform's trust material under `dir`:
 * - `ca/ca.crt`, `ca/ca.key`: the CA; its key is for setup tooling only and goes to no service;
 * - `public/<name>.pub`, `public/nats-users.json`: public keys (the NATS configuration reads these);
 * - `<name>/`: one bundle per identity, to be mounted into that service's container only.
 * Existing material is kept: a service added later gets a bundle from the same CA.
 */
export async function writeServiceBundles(
  dir: string,
  names: readonly string[],
  options: WriteBundlesOptions = {},
): Promise<void> {
  const caDir = join(dir, "ca");
  const publicDir = join(dir, "public");
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  mkdirSync(publicDir, { recursive: true, mode: 0o755 });
  const caFiles = { cert: join(caDir, "ca.crt"), key: join(caDir, "ca.key") };
  let ca: PlatformCa;
  if (existsSync(caFiles.cert) && existsSync(caFiles.key)) {
    ca = { certPem: readFileSync(caFiles.cert, "utf8"), keyPem: readFileSync(caFiles.key, "utf8") };
  } else {
    ca = await createPlatformCa();
    writeFileSync(caFiles.key, ca.keyPem, { mode: 0o600 });
    writeFileSync(caFiles.cert, ca.certPem, { mode: 0o644 });
  }

  const natsUsersFile = join(publicDir, "nats-users.json");
  const natsUsers: Record<string, string> = existsSync(natsUsersFile)
    ? (JSON.parse(readFileSync(natsUsersFile, "utf8")) as Record<string, string>)
    : {};
  const fresh = new Map<
    string,
    { privatePem: string; natsSeed: string; tls: { certPem: string; keyPem: string } }
  >();
  for (const name of names) {
    if (
      existsSync(join(publicDir, BundleFiles.publicKey(name))) &&
      existsSync(join(dir, name, BundleFiles.tlsCert))
    )
      continue;
    const pair = generateKeyPairSync("ed25519");
    const nats = generateNatsUser();
    natsUsers[name] = nats.publicKey;
    writeFileSync(join(publicDir, BundleFiles.publicKey(name)), exportPublicPem(pair.publicKey), {
      mode: 0o644,
    });
    fresh.set(name, {
      privatePem: pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      natsSeed: nats.seed,
      tls: await issueServiceCertificate(ca, name, { dnsNames: options.dnsNames?.[name] }),
    });
  }
  writeFileSync(natsUsersFile, `${JSON.stringify(natsUsers, null, 2)}\n`, { mode: 0o644 });

  const publicKeyFiles = readdirSync(publicDir).filter((f) => f.endsWith(".pub"));
  for (const name of names) {
    const bundle = join(dir, name);
    mkdirSync(bundle, { recursive: true, mode: 0o700 });
    const own = fresh.get(name);
    const write = (file: string, content: string, mode: number) => {
      const path = join(bundle, file);
      rmSync(path, { force: true }); // read-only files are replaced, not rewritten in place
      writeFileSync(path, content, { mode });
      chmodSync(path, mode);
      if (options.owner) chownSync(path, options.owner.uid, options.owner.gid);
    };
    if (own) {
      write(BundleFiles.signingKey(name), own.privatePem, 0o400);
      write(BundleFiles.tlsKey, own.tls.keyPem, 0o400);
      write(BundleFiles.tlsCert, own.tls.certPem, 0o444);
      write(BundleFiles.natsSeed, own.natsSeed, 0o400);
    }
    write(BundleFiles.caCert, ca.certPem, 0o444);
    for (const file of publicKeyFiles) write(file, readFileSync(join(publicDir, file), "utf8"), 0o444);
    if (options.owner) chownSync(bundle, options.owner.uid, options.owner.gid);
  }
}

function exportPublicPem(key: KeyObject): string {
  return key.export({ format: "pem", type: "spki" }).toString();
}

function readRequired(dir: string, file: string): string {
  const path = join(dir, file);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`service key bundle: cannot read ${path} (${code ?? "error"})`);
  }
}

/**
 * Loads a service's bundle (see writeServiceBundles): its signing key, every `*.pub`, the CA
 * certificate, its TLS certificate and key, its NATS seed. A missing or unreadable file, or a
 * certificate issued to another service, is a clear start-up error.
 */
export function loadServiceKeys(dir: string, self: string): ServiceKeys {
  const privateKey = createPrivateKey(readRequired(dir, BundleFiles.signingKey(self)));
  const publicKeys = new Map<string, KeyObject>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith(".pub")) publicKeys.set(file.slice(0, -4), createPublicKey(readRequired(dir, file)));
  }
  const tls = {
    caPem: readRequired(dir, BundleFiles.caCert),
    certPem: readRequired(dir, BundleFiles.tlsCert),
    keyPem: readRequired(dir, BundleFiles.tlsKey),
  };
  const certFor = serviceOfCertificate(tls.certPem);
  if (certFor !== self)
    throw new Error(
      `service key bundle: ${join(dir, BundleFiles.tlsCert)} is issued to ${certFor ?? "nobody"}, not ${self}`,
    );
  const natsSeed = readRequired(dir, BundleFiles.natsSeed).trim();
  fromSeed(new TextEncoder().encode(natsSeed)); // throws on a malformed seed
  return { self, privateKey, publicKeys, tls, natsSeed };
}
