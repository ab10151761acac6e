/**
 * SRE access to one RPC: mints a call token for the method in the URL (signed by the `sre`
 * identity; good for that method only, once, within 60 s) and prints the `buf curl` command that
 * makes the call over mutual TLS with the sre certificate. For example:
 *
 *   pnpm exec tsx scripts/service-token.ts \
 *     https://127.0.0.1:50055/proximity.provisioner.v1.ProvisionerService/ListDeadLetters -d '{"limit": 10}'
 *   eval "$(pnpm exec tsx scripts/service-token.ts https://127.0.0.1:50055/…/ListDeadLetters)"
 *
 * The callee is the service of the method's package (`proximity.<service>.v1`): its certificate
 * must name it. Arguments after the URL are passed to buf curl as they are. The bundle is
 * SERVICE_KEYS_DIR (default .dev/trust/sre), the identity SERVICE_IDENTITY (default sre).
 */
import { join, resolve } from "node:path";
import { createCallToken, loadServiceKeys } from "../packages/grpc/src/index.js";
import { BundleFiles } from "../packages/identity/src/index.js";

const USAGE =
  "usage: service-token.ts https://<host>:<port>/proximity.<service>.v1.<Service>/<Method> [buf curl args…]";
const [target, ...extra] = process.argv.slice(2);
const url = parseTarget(target);
const method = /^\/proximity\.([a-z][a-z0-9-]*)\.v\d+\.[A-Za-z0-9]+\/[A-Za-z0-9]+$/.exec(url?.pathname ?? "");
if (!url || !method) {
  console.error(USAGE);
  process.exit(2);
}
const audience = method[1]!;
const identity = process.env.SERVICE_IDENTITY ?? "sre";
const dir = resolve(process.env.SERVICE_KEYS_DIR ?? join(import.meta.dirname, "../.dev/trust", identity));
const token = createCallToken(loadServiceKeys(dir, identity), { audience, method: url.pathname });
const command = [
  ...["pnpm", "exec", "buf", "curl", "--protocol", "grpc"],
  ...["--cacert", join(dir, BundleFiles.caCert), "--cert", join(dir, BundleFiles.tlsCert)],
  ...["--key", join(dir, BundleFiles.tlsKey), "--servername", audience],
  ...["-H", `authorization: Bearer ${token}`],
  ...extra,
  url.href,
];
process.stdout.write(`${command.map(shellQuote).join(" ")}\n`);

/** `https://host:port/path`, or `host:port/path` (https assumed); undefined when unusable. */
function parseTarget(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    const parsed = new URL(text.includes("://") ? text : `https://${text}`);
    return parsed.protocol === "https:" && parsed.port ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
