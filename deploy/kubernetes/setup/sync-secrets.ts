/**
 * The setup Job's first and last steps (deploy/kubernetes/base/setup.yaml), around deploy/init.ts:
 *   restore  every setup Secret that exists → SETUP_DIR (so init keeps keys and passwords)
 *   publish  every directory init wrote in SETUP_DIR → its Secret (created or replaced)
 * It talks to the Kubernetes API as the Job's ServiceAccount, whose Role allows exactly the
 * Secrets of SetupSecrets; its token is mounted into these two containers only, not into init's.
 * Environment: SETUP_DIR (default /setup); the in-cluster API address, token, CA and namespace.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createLogger } from "../../../packages/logger/src/index.js";
import { publishSetup, restoreSetup, type SecretObject, type SecretStore } from "./setup-secrets.js";

/** Where a pod finds its ServiceAccount's token, the cluster CA and its namespace. */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface KubeApiOptions {
  /** `https://<host>:<port>` of the API server (or `http://` for a test server). */
  readonly baseUrl: string;
  readonly namespace: string;
  readonly token: string;
  /** PEM of the CA the API server's certificate is checked against. */
  readonly ca?: string;
}

/** The namespace's Secrets over the Kubernetes REST API (GET, POST, PUT; nothing else). */
export function kubeSecretStore(options: KubeApiOptions): SecretStore {
  const base = new URL(options.baseUrl);
  const collection = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/secrets`;
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const send = base.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(
        {
          hostname: base.hostname,
          port: base.port,
          method,
          path,
          ...(options.ca ? { ca: options.ca } : {}),
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: "application/json",
            ...(payload ? { "content-type": "application/json" } : {}),
          },
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer`)));
      req.on("error", reject);
      req.end(payload);
    });
  // The API's message (its Status `message`), never a Secret's content: a failure is only ever a Status.
  const failure = (what: string, res: { status: number; body: string }) => {
    let message = "";
    try {
      message = (JSON.parse(res.body) as { message?: string }).message ?? "";
    } catch {}
    return new Error(`${what}: HTTP ${res.status}${message ? ` (${message})` : ""}`);
  };
  const get = async (name: string): Promise<SecretObject | undefined> => {
    const res = await call("GET", `${collection}/${encodeURIComponent(name)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw failure(`reading Secret ${name}`, res);
    return JSON.parse(res.body) as SecretObject;
  };
  return {
    get,
    async put(secret) {
      const created = await call("POST", collection, secret);
      if (created.status === 201) return;
      if (created.status !== 409) throw failure(`creating Secret ${secret.metadata.name}`, created);
      // It exists: replace it whole, naming the version read (a concurrent writer fails the run).
      const current = await get(secret.metadata.name);
      const metadata = { ...secret.metadata, resourceVersion: current?.metadata.resourceVersion };
      const name = encodeURIComponent(secret.metadata.name);
      const replaced = await call("PUT", `${collection}/${name}`, { ...secret, metadata });
      if (replaced.status !== 200) throw failure(`replacing Secret ${secret.metadata.name}`, replaced);
    },
  };
}

/** The API as seen from inside a pod: the address Kubernetes injects, the mounted token. */
function inClusterOptions(): KubeApiOptions {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  if (!host) throw new Error("KUBERNETES_SERVICE_HOST is not set: run inside a pod");
  const read = (file: string) => readFileSync(`${SERVICE_ACCOUNT_DIR}/${file}`, "utf8").trim();
  return {
    baseUrl: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    namespace: read("namespace"),
    token: read("token"),
    ca: read("ca.crt"),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const logger = createLogger({ service: "setup-secrets", level: process.env.LOG_LEVEL ?? "info" });
  const step = process.argv[2];
  const root = process.env.SETUP_DIR || "/setup";
  const store = kubeSecretStore(inClusterOptions());
  if (step === "restore")
    logger.info({ restored: await restoreSetup(store, root) }, "setup Secrets restored");
  else if (step === "publish")
    logger.info({ published: await publishSetup(store, root) }, "setup Secrets published");
  else {
    process.stderr.write("usage: sync-secrets.ts restore|publish\n");
    process.exit(2);
  }
}
