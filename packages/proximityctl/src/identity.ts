/**
 * The operator's identity: the `sre` bundle setup writes (deploy/init.ts, the dev runner's
 * `.dev/trust/sre/`): `sre.key` (Ed25519, signs each call's token), `tls.crt` and `tls.key` (the
 * mTLS client certificate, `spiffe://proximity/sre`), `ca.crt` (the platform CA, the only one the
 * servers are checked against), the services' `*.pub` and `nats.seed`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadServiceKeys, type ServiceKeys } from "@proximity/grpc";
import { BundleFiles, serviceOfCertificate } from "@proximity/identity";
import { IdentityError, UsageError } from "./exit-codes.js";

/** The identity operator tooling signs as; the services' allow-lists name it. */
export const OPERATOR_IDENTITY = "sre";

/** The environment variable naming the bundle directory when `--identity` is not given. */
export const IDENTITY_ENV = "PROXIMITY_IDENTITY";

/**
 * The bundle directory from `--identity`, else PROXIMITY_IDENTITY, resolved against `cwd`.
 * Neither given is a usage error: there is no default, so no command runs as an identity by accident.
 */
export function identityDirOf(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const dir = flag ?? env[IDENTITY_ENV];
  if (!dir)
    throw new UsageError(
      `no identity: pass --identity <dir> or set ${IDENTITY_ENV} to the sre bundle (.dev/trust/sre in development; docker compose cp init:/keys/sre ./sre)`,
    );
  return resolve(cwd, dir);
}

/** Loads the sre bundle from `dir`, or says exactly what is wrong with it. */
export function loadOperatorIdentity(dir: string): ServiceKeys {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new IdentityError(`identity ${dir}: no such directory`);
  const certFile = join(dir, BundleFiles.tlsCert);
  let certPem: string;
  try {
    certPem = readFileSync(certFile, "utf8");
  } catch (err) {
    throw new IdentityError(`identity ${dir}: cannot read ${BundleFiles.tlsCert} (${codeOf(err)})`);
  }
  let owner: string | null;
  try {
    owner = serviceOfCertificate(certPem);
  } catch {
    owner = null;
  }
  if (owner !== OPERATOR_IDENTITY)
    throw new IdentityError(
      `identity ${dir}: the bundle is ${owner ? `the ${owner} service's` : "no Proximity identity's"}, not ${OPERATOR_IDENTITY}'s (operator tooling uses the sre bundle)`,
    );
  try {
    return loadServiceKeys(dir, OPERATOR_IDENTITY);
  } catch (err) {
    throw new IdentityError(`identity ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? "error";
}
