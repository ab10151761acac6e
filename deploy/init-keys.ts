/**
 * Generates one Ed25519 key pair per service identity into a directory (docker compose's
 * `keys` volume), once. In production each container should mount only its own private key and
 * the public keys of its peers.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportServiceKeyPair, generateServiceKeys } from "../packages/grpc/src/index.js";

const dir = process.argv[2] ?? "/keys";
const identities = ["api-gateway", "applications", "hosts", "backups", "secrets", "provisioner", "sre"];
if (!existsSync(join(dir, "api-gateway.key"))) {
  mkdirSync(dir, { recursive: true });
  for (const [name, keys] of generateServiceKeys(identities)) {
    const { privatePem, publicPem } = exportServiceKeyPair(keys);
    writeFileSync(join(dir, `${name}.key`), privatePem, { mode: 0o640 });
    writeFileSync(join(dir, `${name}.pub`), publicPem);
  }
}
