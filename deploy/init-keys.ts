/**
 * Writes the platform's trust material once (see writeServiceBundles): a CA, and per service a
 * bundle with only its own private key, certificate and NATS seed plus the peers' public keys.
 * Usage: init-keys <dir> [uid:gid] — compose mounts `<dir>/<service>` into that service alone.
 */
import { ServiceIdentities, writeServiceBundles } from "../packages/identity/src/index.js";

const dir = process.argv[2] ?? "/keys";
const owner = process.argv[3]?.split(":").map(Number);
await writeServiceBundles(dir, ServiceIdentities, owner ? { owner: { uid: owner[0]!, gid: owner[1]! } } : {});
