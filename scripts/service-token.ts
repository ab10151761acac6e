/**
 * Prints a short-lived service token for SRE tooling, e.g.
 *   pnpm exec tsx scripts/service-token.ts sre provisioner
 *   buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $TOKEN" \
 *     -d '{"limit": 10}' http://127.0.0.1:50055/proximity.provisioner.v1.ProvisionerService/ListDeadLetters
 * Signs with `<SERVICE_KEYS_DIR or .dev/trust/sre>/<identity>.key`; valid for 60 s and one audience.
 */
import { resolve } from "node:path";
import { createTokenIssuer, loadServiceKeys } from "../packages/grpc/src/index.js";

const [identity, audience] = process.argv.slice(2);
if (!identity || !audience) {
  console.error("usage: service-token.ts <identity> <audience-service>");
  process.exit(2);
}
const dir = process.env.SERVICE_KEYS_DIR ?? resolve(import.meta.dirname, "../.dev/trust/sre");
process.stdout.write(`${createTokenIssuer(loadServiceKeys(dir, identity))(audience)}\n`);
