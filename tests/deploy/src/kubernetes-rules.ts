/**
 * The rules the Kubernetes manifests (deploy/kubernetes, rendered per overlay) must keep, each a
 * function returning its problems (none when the rule holds), so a test can show that every rule
 * catches the mistake it is about. Where compose already says something (images, ports,
 * variables, what init writes), the manifests must say the same: docker-compose.yml and each
 * service's configuration schema are the references, not a list kept here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import { ConfigError, loadConfig } from "@proximity/config";
import type { z } from "zod";
import { type ComposeFile, environmentOf, repositoryRoot } from "./compose.js";
import { containersOf, type KubeObject, podSpecOf } from "./kustomize.js";

export type Overlay = "development" | "production";

export interface KubernetesContext {
  readonly overlay: Overlay;
  readonly objects: readonly KubeObject[];
  readonly compose: ComposeFile;
  /** Configuration schema of each container of ours, by service (as in compose's context). */
  readonly schemas: Readonly<Record<string, z.ZodType>>;
  /** The setup's Secrets (deploy/kubernetes/setup/setup-secrets.ts) and where it works. */
  readonly setup: {
    readonly secrets: readonly { readonly name: string; readonly dir: string }[];
    readonly layout: Readonly<Record<string, string>>;
    readonly bundleSecretName: (identity: string) => string;
  };
  /** Files init writes whose names the manifests refer to. */
  readonly written: {
    readonly databaseUrlFile: string;
    readonly simulatorFiles: readonly string[];
    readonly busAdminSeedFile: string;
    /** Every file of a service bundle but database-url, for `identity` (BundleFiles). */
    readonly bundleFiles: (identity: string, identities: readonly string[]) => readonly string[];
  };
  /** Identities that run as a container (ServiceIdentities without `sre`). */
  readonly identities: readonly string[];
}

/** The image every Proximity container runs (deploy/Dockerfile), before an overlay renames it. */
export const PROXIMITY_IMAGE = "proximity";
/** The setup Job (compose's init) and its container running deploy/init.ts. */
export const SETUP_JOB = "proximity-setup";
export const BUS_INIT_JOB = "proximity-bus-init";
/** The probe of gRPC health over mutual TLS, as the image holds it. */
export const GRPC_PROBE = "/app/deploy/kubernetes/probe/grpc-health.mjs";

/**
 * Secrets only the operator creates (README: what to put in each): by name, the keys the
 * manifests read. Never in the manifests with a value.
 */
export const OPERATOR_SECRETS: Readonly<Record<string, readonly string[]>> = {
  "proximity-db-superuser": ["username", "password"],
  "proximity-secrets-kek": ["kek"],
  "proximity-bootstrap-admin": ["password"],
};

/**
 * Services whose replicas share nothing but PostgreSQL and NATS, so CPU-based autoscaling is
 * safe: sessions and claims are rows, schedulers take work FOR UPDATE SKIP LOCKED, host checks
 * are claimed row by row, rate limits are KV counters. Not the provisioner: it scales by hand
 * (its load is waiting on Proxmox, and its operations last minutes to hours).
 */
export const AUTOSCALED = ["api-gateway", "applications", "hosts", "backups", "secrets"] as const;

/**
 * Variables the manifests set that compose does not, reviewed one by one (each must still be in
 * the service's schema): the gateway behind an Ingress believes one proxy hop.
 */
export const KUBERNETES_ONLY_ENV: Readonly<Record<string, readonly string[]>> = {
  "api-gateway": ["TRUST_PROXY"],
};

/**
 * Variables compose sets for its simulator, left out where there is none (production): the hosts
 * service registers real hosts through the API instead of the simulator's bootstrap host.
 */
export const SIMULATOR_ONLY_ENV: Readonly<Record<string, readonly string[]>> = {
  hosts: ["BOOTSTRAP_HOST_JSON_FILE"],
};

/** Variables of compose's init the setup Job leaves out: data directories are writable through fsGroup. */
const INIT_ENV_NOT_NEEDED = ["WRITABLE_DIRS"];
/** init's variables naming where it writes: below the Job's scratch directory (SetupLayout). */
const INIT_PATHS: Readonly<Record<string, { layout: string; file?: boolean }>> = {
  TRUST_DIR: { layout: "trust" },
  NATS_CONFIG_FILE: { layout: "natsConfig", file: true },
  BUS_ADMIN_DIR: { layout: "busAdmin" },
  SIM_DIR: { layout: "simulator" },
  SIM_BOOTSTRAP_FILE: { layout: "hostsBootstrap", file: true },
};

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|KEK|TOKEN|PRIVATE|CREDENTIAL|SEED|(^|_)KEYS?(_|$)/i;
const PATH_NAME = /_(FILE|DIR|ADDR)$/;

type Container = Record<string, unknown> & { name: string; image?: string };
interface EnvValue {
  readonly value?: string;
  readonly secret?: { readonly name: string; readonly key: string };
  readonly field?: string;
}

const isWorkload = (o: KubeObject) => ["Deployment", "StatefulSet", "Job"].includes(o.kind);
const workloads = (ctx: KubernetesContext) => ctx.objects.filter(isWorkload);
const named = (ctx: KubernetesContext, kind: string, name: string) =>
  ctx.objects.find((o) => o.kind === kind && o.metadata.name === name);
const templateLabels = (o: KubeObject): Record<string, string> =>
  ((o.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels ??
    {}) as Record<string, string>;

/** A container's environment: literal values, Secret references, field references. */
export function envOf(container: Container): Record<string, EnvValue> {
  const entries = (container.env ?? []) as {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
  }[];
  return Object.fromEntries(
    entries.map((e) => [
      e.name,
      e.valueFrom?.secretKeyRef
        ? { secret: e.valueFrom.secretKeyRef }
        : e.valueFrom?.fieldRef
          ? { field: e.valueFrom.fieldRef.fieldPath }
          : { value: e.value ?? "" },
    ]),
  );
}

/** The Proximity service a container runs (its SERVICE variable, deploy/Dockerfile), if any. */
const serviceOf = (c: Container) => envOf(c).SERVICE?.value;
const isOurs = (c: Container) =>
  imageName(c.image ?? "")
    .split("/")
    .pop() === PROXIMITY_IMAGE;
const imageName = (image: string) => {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(0, at) : image;
};
const imageTag = (image: string) => {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(at + 1) : undefined;
};

/** The Deployments running a Proximity service (env SERVICE), with that container. */
function serviceDeployments(
  ctx: KubernetesContext,
): { object: KubeObject; container: Container; service: string }[] {
  return ctx.objects
    .filter((o) => o.kind === "Deployment")
    .flatMap((object) =>
      (containersOf(object) as Container[])
        .filter((c) => serviceOf(c) !== undefined)
        .map((container) => ({ object, container, service: serviceOf(container)! })),
    );
}

const shapeOf = (schema: z.ZodType | undefined) =>
  ((schema as z.ZodObject | undefined)?.shape ?? {}) as Record<string, z.ZodType>;
const defaultOf = (schema: z.ZodType | undefined, key: string) =>
  shapeOf(schema)[key]?.parse(undefined) as number | undefined;

/** Whether `selector` (matchLabels, matchExpressions) selects `labels`. */
export function selects(
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const within = has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === "In" && !within) return false;
    if (e.operator === "NotIn" && within) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

const composeEnv = (ctx: KubernetesContext, service: string) => {
  const s = ctx.compose.services[service];
  return s ? environmentOf(s) : undefined;
};
/** A compose value an operator must set (`${NAME:?…}`): on Kubernetes it comes from a Secret. */
const isRequiredInterpolation = (value: string) => /^\$\{[A-Za-z0-9_]+:\?[^}]+\}$/.test(value);

// ---------------------------------------------------------------------------------------------
// Security context

/**
 * Every pod runs as compose's containers do, and as the `restricted` Pod Security Standard asks:
 * non-root (uid 1000, the image's `node`; the development PostgreSQL as its image's `postgres`),
 * every capability dropped, no privilege escalation, a read-only root filesystem, the runtime's
 * seccomp profile; no API token mounted (the setup Job mounts one into two containers itself),
 * no service links (the environment is exactly the one written), no host namespaces or paths.
 */
export function securityProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  for (const object of workloads(ctx)) {
    const where = `${object.kind} ${object.metadata.name}`;
    const pod = podSpecOf(object) as Record<string, unknown>;
    const security = (pod.securityContext ?? {}) as Record<string, unknown>;
    const containers = containersOf(object) as Container[];
    const ours = containers.some(isOurs) || containers.some((c) => imageName(c.image ?? "") === "nats");
    const uid = ours ? 1000 : object.metadata.name === "postgres" ? 70 : undefined;
    if (security.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (uid !== undefined && (security.runAsUser !== uid || security.runAsGroup !== uid))
      problems.push(
        `${where}: runs as ${String(security.runAsUser)}:${String(security.runAsGroup)}, not ${uid}:${uid}`,
      );
    if (uid !== undefined && security.fsGroup !== uid) problems.push(`${where}: fsGroup is not ${uid}`);
    if ((security.seccompProfile as { type?: string } | undefined)?.type !== "RuntimeDefault")
      problems.push(`${where}: seccomp profile is not RuntimeDefault`);
    if (pod.automountServiceAccountToken !== false) problems.push(`${where}: mounts an API token`);
    if (pod.enableServiceLinks !== false) problems.push(`${where}: gets service link variables`);
    for (const host of ["hostNetwork", "hostPID", "hostIPC"])
      if (pod[host] === true) problems.push(`${where}: uses ${host}`);
    for (const v of (pod.volumes ?? []) as Record<string, unknown>[])
      if (v.hostPath)
        problems.push(`${where}: mounts the host path ${(v.hostPath as { path: string }).path}`);
    for (const c of containers) {
      const cs = (c.securityContext ?? {}) as Record<string, unknown>;
      const caps = (cs.capabilities ?? {}) as { drop?: string[]; add?: string[] };
      const at = `${where} container ${c.name}`;
      if (cs.allowPrivilegeEscalation !== false) problems.push(`${at}: privilege escalation is allowed`);
      if (cs.privileged === true) problems.push(`${at}: is privileged`);
      if (JSON.stringify(caps.drop) !== '["ALL"]') problems.push(`${at}: does not drop ALL capabilities`);
      if ((caps.add ?? []).length > 0) problems.push(`${at}: adds capabilities ${caps.add!.join(", ")}`);
      if (cs.readOnlyRootFilesystem !== true) problems.push(`${at}: its root filesystem is writable`);
      if (cs.runAsUser !== undefined && cs.runAsUser !== uid)
        problems.push(`${at}: runs as ${String(cs.runAsUser)}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Resources and probes

const QUANTITY = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/;
const UNITS: Record<string, number> = { m: 0.001, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
const quantity = (text: unknown) => {
  const m = QUANTITY.exec(String(text));
  return m ? Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1) : Number.NaN;
};

/** Every container requests CPU and memory and is limited in both, its requests within its limits. */
export function resourceProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  for (const object of workloads(ctx))
    for (const c of containersOf(object) as Container[]) {
      const r = (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
      const at = `${object.kind} ${object.metadata.name} container ${c.name}`;
      for (const what of ["cpu", "memory"]) {
        const request = quantity(r.requests?.[what]);
        const limit = quantity(r.limits?.[what]);
        if (Number.isNaN(request)) problems.push(`${at}: no ${what} request`);
        if (Number.isNaN(limit)) problems.push(`${at}: no ${what} limit`);
        if (request > limit) problems.push(`${at}: its ${what} request exceeds its limit`);
      }
    }
  return problems;
}

/**
 * Long-running containers have readiness and liveness probes. A gRPC service's come from its gRPC
 * health over its own mutual TLS (the kubelet's `grpc:` probe has no TLS): the probe script on
 * the service's port (its schema's GRPC_PORT) with the bundle at SERVICE_KEYS_DIR; readiness asks
 * for SERVING, liveness (`--alive`) for any answer. The gateway is ready by GET /api/health.
 */
export function probeProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  for (const object of ctx.objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet"))
    for (const c of (podSpecOf(object)!.containers ?? []) as Container[]) {
      const at = `${object.kind} ${object.metadata.name} container ${c.name}`;
      if (!c.readinessProbe) problems.push(`${at}: no readiness probe`);
      if (!c.livenessProbe) problems.push(`${at}: no liveness probe`);
    }
  for (const { object, container, service } of serviceDeployments(ctx)) {
    const at = `Deployment ${object.metadata.name}`;
    const schema = ctx.schemas[service];
    const grpcPort = defaultOf(schema, "GRPC_PORT");
    const keysDir = envOf(container).SERVICE_KEYS_DIR?.value;
    const command = (probe: unknown) =>
      (probe as { exec?: { command?: string[] } } | undefined)?.exec?.command;
    if (grpcPort !== undefined) {
      const expected = ["node", GRPC_PROBE, service, String(grpcPort), keysDir ?? "(SERVICE_KEYS_DIR)"];
      for (const kind of ["startupProbe", "readinessProbe"] as const)
        if (JSON.stringify(command(container[kind])) !== JSON.stringify(expected))
          problems.push(`${at}: ${kind} is not ${expected.join(" ")}`);
      if (JSON.stringify(command(container.livenessProbe)) !== JSON.stringify([...expected, "--alive"]))
        problems.push(`${at}: livenessProbe is not ${[...expected, "--alive"].join(" ")}`);
    } else if (defaultOf(schema, "HTTP_PORT") !== undefined) {
      const ready = container.readinessProbe as { httpGet?: { path?: string; port?: unknown } } | undefined;
      if (
        ready?.httpGet?.path !== "/api/health" ||
        containerPort(container, ready.httpGet.port) !== defaultOf(schema, "HTTP_PORT")
      )
        problems.push(`${at}: readiness is not GET /api/health on its HTTP port`);
    }
  }
  return problems;
}

/** The number of a container's port given by name or number. */
function containerPort(container: Container, port: unknown): number | undefined {
  if (typeof port === "number") return port;
  return ((container.ports ?? []) as { name?: string; containerPort: number }[]).find((p) => p.name === port)
    ?.containerPort;
}

// ---------------------------------------------------------------------------------------------
// Images, environment, configuration

/**
 * Images agree with compose: every container of ours runs the one image deploy/Dockerfile builds
 * (with a tag, never `latest`), each service of compose built with SERVICE=<name> is a Deployment
 * of that name running it with SERVICE=<name>, the setup steps run compose's commands, NATS and
 * the development PostgreSQL run compose's images, CloudNativePG its PostgreSQL major version.
 */
export function imageProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const ours = workloads(ctx).flatMap((o) => (containersOf(o) as Container[]).filter(isOurs));
  const images = new Set(ours.map((c) => c.image));
  if (images.size !== 1) problems.push(`containers of ours run ${[...images].join(", ")}: one image for all`);
  for (const image of images) {
    const tag = imageTag(image ?? "");
    if (!tag || tag === "latest") problems.push(`${image}: pin a tag, never latest`);
  }
  const deployments = new Map(serviceDeployments(ctx).map((d) => [d.object.metadata.name, d.service]));
  for (const [name, service] of Object.entries(ctx.compose.services)) {
    const arg = service.build?.args?.SERVICE;
    if (!arg) continue;
    if (name === "proxmox-sim" && ctx.overlay === "production") {
      if (deployments.has(name)) problems.push("the simulator runs in production");
      continue;
    }
    if (deployments.get(name) !== arg) problems.push(`no Deployment ${name} runs SERVICE=${arg}`);
  }
  for (const [name, service] of deployments)
    if (name !== service) problems.push(`Deployment ${name} runs SERVICE=${service}`);

  const setupCommand = (job: string, container: string) =>
    ((containersOf(named(ctx, "Job", job) ?? ({} as KubeObject)) as Container[]).find(
      (c) => c.name === container,
    )?.command ?? []) as string[];
  const composeCommand = (service: string) => ctx.compose.services[service]?.command;
  if (JSON.stringify(setupCommand(SETUP_JOB, "init")) !== JSON.stringify(composeCommand("init")))
    problems.push(`${SETUP_JOB} does not run compose's init command`);
  if (JSON.stringify(setupCommand(BUS_INIT_JOB, "bus-init")) !== JSON.stringify(composeCommand("bus-init")))
    problems.push(`${BUS_INIT_JOB} does not run compose's bus-init command`);

  const first = (kind: string, name: string) =>
    (containersOf(named(ctx, kind, name) ?? ({} as KubeObject)) as Container[])[0];
  if (first("StatefulSet", "nats")?.image !== ctx.compose.services.nats?.image)
    problems.push(
      `nats runs ${first("StatefulSet", "nats")?.image ?? "nothing"}, compose ${ctx.compose.services.nats?.image}`,
    );
  const postgresImage = ctx.compose.services.postgres?.image ?? "";
  const major = /:(\d+)/.exec(postgresImage)?.[1];
  const cluster = ctx.objects.find((o) => o.kind === "Cluster");
  if (cluster) {
    const image = String((cluster.spec as { imageName?: string }).imageName);
    if (/:(\d+)/.exec(image)?.[1] !== major)
      problems.push(`${image} is not PostgreSQL ${major} (compose: ${postgresImage})`);
  }
  const postgres = first("StatefulSet", "postgres");
  if (postgres && postgres.image !== postgresImage)
    problems.push(`postgres runs ${postgres.image}, compose ${postgresImage}`);
  if (!cluster && !postgres)
    problems.push("no PostgreSQL: neither a CloudNativePG Cluster nor the postgres StatefulSet");
  return problems;
}

/**
 * Each service's variables agree with compose and with its schema: every variable set is one
 * its schema declares (or `<NAME>_FILE` of one, or the image's SERVICE); every variable compose
 * sets that the schema declares is set to compose's value, a required compose value (`${X:?}`)
 * coming from a Secret instead (the simulator's SIMULATOR_ONLY_ENV only in development); anything
 * else is a reviewed KUBERNETES_ONLY_ENV. Then the schema
 * accepts the environment (Secrets and files standing in), migrations are left to the setup
 * (MIGRATE_ON_START=false) and the mode is production.
 */
export function environmentProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "kubernetes-env-"));
  try {
    for (const { object, container, service } of serviceDeployments(ctx)) {
      const at = `Deployment ${object.metadata.name}`;
      const schema = ctx.schemas[service];
      if (!schema) {
        problems.push(`${at}: no configuration schema for ${service}`);
        continue;
      }
      const shape = shapeOf(schema);
      const env = envOf(container);
      const declared = (key: string) =>
        key in shape || (key.endsWith("_FILE") && key.slice(0, -"_FILE".length) in shape);
      for (const key of Object.keys(env))
        if (key !== "SERVICE" && !declared(key))
          problems.push(`${at}: ${key} is not a variable of ${service}`);
      const fromCompose = composeEnv(ctx, service) ?? {};
      for (const [key, value] of Object.entries(fromCompose)) {
        if (!declared(key)) continue;
        const mine = env[key];
        if ((SIMULATOR_ONLY_ENV[service] ?? []).includes(key) && ctx.overlay === "production") {
          if (mine) problems.push(`${at}: ${key} is the simulator's, set in production`);
        } else if (!mine) problems.push(`${at}: compose sets ${key}, this does not`);
        else if (isRequiredInterpolation(value)) {
          if (!mine.secret)
            problems.push(`${at}: ${key} must come from a Secret (compose requires it from the operator)`);
        } else if (mine.value !== value)
          problems.push(`${at}: ${key}=${mine.value ?? "(a reference)"}, compose ${value}`);
      }
      for (const key of Object.keys(env))
        if (key !== "SERVICE" && !(key in fromCompose) && !(KUBERNETES_ONLY_ENV[service] ?? []).includes(key))
          problems.push(
            `${at}: ${key} is set here but not in compose (add it to KUBERNETES_ONLY_ENV if reviewed)`,
          );

      const source: Record<string, string> = {};
      for (const [key, value] of Object.entries(env)) {
        if (value.secret) {
          source[key] = `stand-in-for-${value.secret.name}-${value.secret.key}-${"x".repeat(32)}`;
          continue;
        }
        let text = value.value ?? "";
        if (key.endsWith("_FILE") && !(key in shape)) {
          const content = fileContent(ctx, object, container, text);
          if (content === undefined) {
            problems.push(`${at}: ${key} names ${text}, which no Secret of the setup provides`);
            continue;
          }
          text = join(dir, `${service}-${key}`);
          writeFileSync(text, content);
        }
        source[key] = text;
      }
      try {
        const config = loadConfig(schema, source) as Record<string, unknown>;
        if ("MIGRATE_ON_START" in config && config.MIGRATE_ON_START !== false)
          problems.push(`${at}: MIGRATE_ON_START must be false (the setup Job migrates)`);
        if ("PROXIMITY_MODE" in config && config.PROXIMITY_MODE !== "production")
          problems.push(`${at}: PROXIMITY_MODE is ${String(config.PROXIMITY_MODE)}`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems.map((p) => `${at}: ${p}`));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** The Secret and key behind the file at `path` in `container`, through its read-only mounts. */
export function secretFileAt(
  object: KubeObject,
  container: Container,
  path: string,
): { secret: string; key: string } | undefined {
  const pod = podSpecOf(object)!;
  for (const mount of (container.volumeMounts ?? []) as { name: string; mountPath: string }[]) {
    if (!path.startsWith(`${mount.mountPath}/`)) continue;
    const relative = posix.relative(mount.mountPath, path);
    const volume = ((pod.volumes ?? []) as Record<string, unknown>[]).find((v) => v.name === mount.name);
    const sources: { name: string; items?: { key: string; path: string }[] }[] = [];
    const secret = volume?.secret as
      | { secretName: string; items?: { key: string; path: string }[] }
      | undefined;
    if (secret) sources.push({ name: secret.secretName, items: secret.items });
    for (const s of (volume?.projected as { sources?: { secret?: (typeof sources)[number] }[] })?.sources ??
      [])
      if (s.secret) sources.push(s.secret);
    for (const s of sources) {
      const item = s.items?.find((i) => i.path === relative);
      if (item) return { secret: s.name, key: item.key };
      if (!s.items && !relative.includes("/")) return { secret: s.name, key: relative };
    }
  }
  return undefined;
}

/** The keys the setup writes into its Secret `name` (init's files), for this overlay's setup. */
export function setupSecretKeys(ctx: KubernetesContext, name: string): readonly string[] {
  const init = setupInitEnv(ctx);
  for (const identity of ctx.identities)
    if (name === ctx.setup.bundleSecretName(identity))
      return [...ctx.written.bundleFiles(identity, ctx.identities), ctx.written.databaseUrlFile];
  switch (name) {
    case "proximity-sim-credentials":
      return init.SIM_DIR ? ctx.written.simulatorFiles : [];
    case "proximity-sim-host-keys":
      return init.SIM_DIR ? (init.SIM_NODES ?? "pve1").split(",").map((n) => `${n.trim()}.key`) : [];
    case "proximity-hosts-bootstrap":
      return init.SIM_BOOTSTRAP_FILE ? [basename(init.SIM_BOOTSTRAP_FILE)] : [];
    case "proximity-nats-config":
      return init.NATS_CONFIG_FILE ? [basename(init.NATS_CONFIG_FILE)] : [];
    case "proximity-bus-admin":
      return [ctx.written.busAdminSeedFile];
    default:
      return [];
  }
}

function fileContent(ctx: KubernetesContext, object: KubeObject, container: Container, path: string) {
  const file = secretFileAt(object, container, path);
  if (!file || !setupSecretKeys(ctx, file.secret).includes(file.key)) return undefined;
  if (file.key === ctx.written.databaseUrlFile) return "postgres://runtime-role@postgres:5432/proximity";
  if (file.secret === "proximity-hosts-bootstrap") return "{}";
  return `stand-in-credential-${"y".repeat(16)}`;
}

/** The literal environment of the setup Job's init container (compose's init). */
function setupInitEnv(ctx: KubernetesContext): Record<string, string> {
  const job = named(ctx, "Job", SETUP_JOB);
  const init = job && (containersOf(job) as Container[]).find((c) => c.name === "init");
  return Object.fromEntries(
    Object.entries(init ? envOf(init) : {})
      .filter(([, v]) => v.value !== undefined)
      .map(([k, v]) => [k, v.value!]),
  );
}

// ---------------------------------------------------------------------------------------------
// Ports and addresses

/**
 * Ports agree with the schemas and compose: each service listens on its schema's GRPC_PORT (the
 * gateway on HTTP_PORT), behind a Service of its name on that port; every `<PEER>_GRPC_ADDR` and
 * NATS_URL names a Service and port that reach that peer's container port; an Ingress routes to
 * the gateway's HTTP port only, over TLS; the setup's POSTGRES_HOST is the database's Service
 * (CloudNativePG: `<cluster>-rw`).
 */
export function portProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  /** The container port that Service `name`'s port `port` reaches, and whose workload it is. */
  const reach = (name: string, port: number): { workload: string; port: number } | undefined => {
    const service = named(ctx, "Service", name);
    const spec = service?.spec as
      | { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string }[] }
      | undefined;
    const entry = spec?.ports?.find((p) => p.port === port);
    if (!spec || !entry) return undefined;
    for (const w of workloads(ctx).filter((o) => o.kind !== "Job")) {
      if (!selects({ matchLabels: spec.selector }, templateLabels(w))) continue;
      for (const c of (podSpecOf(w)!.containers ?? []) as Container[]) {
        const target = containerPort(c, entry.targetPort ?? entry.port);
        if (target !== undefined) return { workload: w.metadata.name, port: target };
      }
    }
    return undefined;
  };
  for (const { object, container, service } of serviceDeployments(ctx)) {
    const schema = ctx.schemas[service];
    const own = defaultOf(schema, "GRPC_PORT") ?? defaultOf(schema, "HTTP_PORT");
    if (own === undefined) continue;
    const ports = ((container.ports ?? []) as { containerPort: number }[]).map((p) => p.containerPort);
    if (!ports.includes(own)) problems.push(`Deployment ${object.metadata.name}: does not listen on ${own}`);
    const reached = reach(service, own);
    if (reached?.workload !== object.metadata.name || reached.port !== own)
      problems.push(`Service ${service}:${own} does not reach ${service}'s port ${own}`);
    for (const [key, value] of Object.entries(envOf(container))) {
      if (!key.endsWith("_GRPC_ADDR") || value.value === undefined) continue;
      const peer = key.slice(0, -"_GRPC_ADDR".length).toLowerCase();
      const [host, port] = value.value.split(":");
      const peerPort = defaultOf(ctx.schemas[peer], "GRPC_PORT");
      const target = reach(host ?? "", Number(port));
      if (host !== peer || target?.workload !== peer || target.port !== peerPort)
        problems.push(
          `Deployment ${object.metadata.name}: ${key}=${value.value} does not reach ${peer} on ${peerPort}`,
        );
    }
    const nats = envOf(container).NATS_URL?.value;
    if (nats !== undefined) {
      const url = new URL(nats);
      if (reach(url.hostname, Number(url.port))?.workload !== "nats")
        problems.push(`Deployment ${object.metadata.name}: NATS_URL=${nats} does not reach nats`);
    }
  }
  for (const ingress of ctx.objects.filter((o) => o.kind === "Ingress")) {
    const spec = ingress.spec as {
      tls?: unknown[];
      rules?: {
        http?: {
          paths?: { backend: { service?: { name: string; port: { name?: string; number?: number } } } }[];
        };
      }[];
    };
    if (!spec.tls?.length)
      problems.push(`Ingress ${ingress.metadata.name}: no TLS (the gateway's cookies are Secure)`);
    for (const path of (spec.rules ?? []).flatMap((r) => r.http?.paths ?? [])) {
      const backend = path.backend.service;
      const service = backend && named(ctx, "Service", backend.name);
      const port = (service?.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports?.find(
        (p) => p.name === backend?.port.name || p.port === backend?.port.number,
      );
      if (
        backend?.name !== "api-gateway" ||
        !port ||
        reach("api-gateway", port.port)?.port !== defaultOf(ctx.schemas["api-gateway"], "HTTP_PORT")
      )
        problems.push(
          `Ingress ${ingress.metadata.name}: routes to ${backend?.name ?? "nothing"}, not the gateway's HTTP port`,
        );
    }
  }
  const host = setupInitEnv(ctx).POSTGRES_HOST ?? "";
  const cluster = ctx.objects.find((o) => o.kind === "Cluster");
  if (cluster) {
    if (host !== `${cluster.metadata.name}-rw`)
      problems.push(
        `${SETUP_JOB}: POSTGRES_HOST=${host}, not ${cluster.metadata.name}-rw (CloudNativePG's read-write Service)`,
      );
  } else if (reach(host, 5432)?.workload !== "postgres")
    problems.push(`${SETUP_JOB}: POSTGRES_HOST=${host} does not reach the postgres StatefulSet on 5432`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Secrets

/**
 * Secrets as compose keeps its volumes: no Secret with a value in the manifests and no literal
 * secret variable; each service mounts its own bundle, read-only, at SERVICE_KEYS_DIR, and no
 * other's; the CA, the public keys and the `sre` bundle go into no pod; each other setup Secret
 * is mounted by its one consumer only; a mounted item or Secret key is one the setup writes or an
 * OPERATOR_SECRETS key; the setup's Role names exactly the setup's Secrets.
 */
export function secretProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  for (const o of ctx.objects.filter((o) => o.kind === "Secret"))
    problems.push(
      `Secret ${o.metadata.name} is in the manifests: secrets are made by the setup or the operator`,
    );
  const setupNames = new Set(ctx.setup.secrets.map((s) => s.name));
  const consumers: Record<string, string> = {
    "proximity-nats-config": "nats",
    "proximity-bus-admin": BUS_INIT_JOB,
    "proximity-sim-credentials": "proxmox-sim",
    "proximity-sim-host-keys": "proxmox-sim",
    "proximity-hosts-bootstrap": "hosts",
  };
  for (const identity of ctx.identities) consumers[ctx.setup.bundleSecretName(identity)] = identity;
  for (const object of workloads(ctx)) {
    const where = `${object.kind} ${object.metadata.name}`;
    const pod = podSpecOf(object)!;
    const volumes = (pod.volumes ?? []) as Record<string, unknown>[];
    const secretsOf = (v: Record<string, unknown>) => [
      ...(v.secret ? [v.secret as { secretName: string; items?: { key: string }[] }] : []).map((s) => ({
        name: s.secretName,
        items: s.items,
      })),
      ...(
        (v.projected as { sources?: { secret?: { name: string; items?: { key: string }[] } }[] })?.sources ??
        []
      )
        .filter((s) => s.secret)
        .map((s) => s.secret!),
    ];
    for (const volume of volumes)
      for (const s of secretsOf(volume)) {
        if (!setupNames.has(s.name))
          problems.push(`${where} mounts ${s.name}, which the setup does not write`);
        else if (consumers[s.name] !== object.metadata.name)
          problems.push(
            `${where} mounts ${s.name}: ${consumers[s.name] ? `${consumers[s.name]}'s alone` : "the setup's alone"}`,
          );
        const keys = setupSecretKeys(ctx, s.name);
        for (const item of s.items ?? [])
          if (!keys.includes(item.key))
            problems.push(`${where} mounts key ${item.key} of ${s.name}, which the setup does not write`);
      }
    for (const c of containersOf(object) as Container[]) {
      for (const [key, value] of Object.entries(envOf(c))) {
        if (value.secret) {
          const allowed = OPERATOR_SECRETS[value.secret.name];
          if (!allowed?.includes(value.secret.key))
            problems.push(
              `${where}: ${key} reads ${value.secret.name}/${value.secret.key}, not an operator Secret's key`,
            );
        } else if (value.value !== undefined && SECRET_NAME.test(key) && !PATH_NAME.test(key))
          problems.push(`${where}: ${key} is a literal secret`);
        if (value.value && /:\/\/[^/@\s]+:[^/@\s]*@/.test(value.value))
          problems.push(`${where}: ${key} carries a password in a URL`);
      }
      const service = serviceOf(c);
      if (!service || !ctx.identities.includes(service)) continue;
      const keysDir = envOf(c).SERVICE_KEYS_DIR?.value ?? "";
      const mount = (
        (c.volumeMounts ?? []) as { name: string; mountPath: string; readOnly?: boolean }[]
      ).find((m) => m.mountPath === keysDir);
      const volume = volumes.find((v) => v.name === mount?.name);
      const own = ctx.setup.bundleSecretName(service);
      if (!mount || (volume?.secret as { secretName?: string } | undefined)?.secretName !== own)
        problems.push(`${where}: does not mount its bundle ${own} at SERVICE_KEYS_DIR`);
      else if (mount.readOnly !== true) problems.push(`${where}: mounts its bundle writable`);
    }
  }
  const role = named(ctx, "Role", SETUP_JOB);
  const names = ((role?.rules ?? []) as { resourceNames?: string[]; verbs: string[] }[]).flatMap(
    (r) => r.resourceNames ?? [],
  );
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...setupNames].sort()))
    problems.push(
      `Role ${SETUP_JOB} names ${names.length} Secrets, not exactly the setup's ${setupNames.size}`,
    );
  for (const r of (role?.rules ?? []) as {
    resources?: string[];
    verbs: string[];
    resourceNames?: string[];
  }[])
    if (
      JSON.stringify(r.resources) !== '["secrets"]' ||
      (!r.resourceNames && JSON.stringify(r.verbs) !== '["create"]')
    )
      problems.push(
        `Role ${SETUP_JOB} allows ${r.verbs.join(",")} on ${(r.resources ?? []).join(",")} beyond its Secrets`,
      );
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Setup steps

/**
 * The setup Job is compose's init: the same variables (its paths below the Job's scratch
 * directory, SetupLayout; the superuser from the operator's Secret), the simulator's only in
 * development; restore and publish work in that directory with the API token mounted into them
 * alone; the scratch directory is memory. bus-init has compose's variables and BUS_REPLICAS;
 * NATS_STORE_DIR is where the NATS servers keep their store.
 */
export function setupProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const job = named(ctx, "Job", SETUP_JOB);
  if (!job) return [`no Job ${SETUP_JOB}`];
  const containers = containersOf(job) as Container[];
  const init = containers.find((c) => c.name === "init");
  const env = init ? envOf(init) : {};
  const setupDir =
    envOf(containers.find((c) => c.name === "restore") ?? ({} as Container)).SETUP_DIR?.value ?? "";
  const composeInit = composeEnv(ctx, "init") ?? {};
  for (const [key, value] of Object.entries(composeInit)) {
    if (INIT_ENV_NOT_NEEDED.includes(key)) continue;
    const simulator = key.startsWith("SIM_");
    if (simulator && ctx.overlay === "production") {
      if (env[key]) problems.push(`${SETUP_JOB}: ${key} is set in production (no simulator)`);
      continue;
    }
    const mine = env[key];
    const path = INIT_PATHS[key];
    if (!mine) problems.push(`${SETUP_JOB}: compose's init sets ${key}, the Job does not`);
    else if (isRequiredInterpolation(value)) {
      if (mine.secret?.name !== "proximity-db-superuser")
        problems.push(`${SETUP_JOB}: ${key} is not from proximity-db-superuser`);
    } else if (path) {
      const layout = ctx.setup.layout[path.layout] ?? "";
      const expected = path.file
        ? posix.join(setupDir, layout, posix.basename(value))
        : posix.join(setupDir, layout);
      if (mine.value !== expected) problems.push(`${SETUP_JOB}: ${key}=${mine.value}, not ${expected}`);
    } else if (key === "POSTGRES_HOST" || key === "SIM_ADDRESS") {
      // Addresses: checked against the Services (portProblems, simulator below).
    } else if (key === "POSTGRES_USER") {
      if (mine.secret?.name !== "proximity-db-superuser")
        problems.push(`${SETUP_JOB}: POSTGRES_USER is not from proximity-db-superuser`);
    } else if (mine.value !== value)
      problems.push(`${SETUP_JOB}: ${key}=${mine.value ?? "(a reference)"}, compose ${value}`);
  }
  for (const key of Object.keys(env))
    if (!(key in composeInit) && key !== "LOG_LEVEL")
      problems.push(`${SETUP_JOB}: ${key} is not one of compose's init variables`);
  if (env.SIM_ADDRESS && !named(ctx, "Service", env.SIM_ADDRESS.value ?? ""))
    problems.push(`${SETUP_JOB}: SIM_ADDRESS=${env.SIM_ADDRESS.value} is no Service`);

  for (const [name, step] of [
    ["restore", "restore"],
    ["publish", "publish"],
  ]) {
    const c = containers.find((x) => x.name === name);
    if (
      JSON.stringify(c?.command) !==
      JSON.stringify(["node", "--import", "tsx", "deploy/kubernetes/setup/sync-secrets.ts", step])
    )
      problems.push(`${SETUP_JOB}: container ${name} does not run sync-secrets.ts ${step}`);
    if (envOf(c ?? ({} as Container)).SETUP_DIR?.value !== setupDir)
      problems.push(`${SETUP_JOB}: ${name} works elsewhere than ${setupDir}`);
  }
  const pod = podSpecOf(job)!;
  const api = ((pod.volumes ?? []) as Record<string, unknown>[]).find((v) =>
    ((v.projected as { sources?: { serviceAccountToken?: unknown }[] })?.sources ?? []).some(
      (s) => s.serviceAccountToken,
    ),
  );
  for (const c of containers) {
    const mounts = ((c.volumeMounts ?? []) as { name: string }[]).map((m) => m.name);
    const hasToken = api !== undefined && mounts.includes(api.name as string);
    if (hasToken !== (c.name === "restore" || c.name === "publish"))
      problems.push(`${SETUP_JOB}: container ${c.name} ${hasToken ? "has" : "lacks"} the API token`);
  }
  const scratch = ((pod.volumes ?? []) as { name: string; emptyDir?: { medium?: string } }[]).find((v) =>
    containers.some((c) =>
      ((c.volumeMounts ?? []) as { name: string; mountPath: string }[]).some(
        (m) => m.name === v.name && m.mountPath === setupDir,
      ),
    ),
  );
  if (scratch?.emptyDir?.medium !== "Memory")
    problems.push(`${SETUP_JOB}: keys are written to disk (scratch directory not in memory)`);

  const busInit = named(ctx, "Job", BUS_INIT_JOB);
  const busEnv = busInit ? envOf((containersOf(busInit) as Container[])[0]!) : {};
  for (const [key, value] of Object.entries(composeEnv(ctx, "bus-init") ?? {}))
    if (busEnv[key]?.value !== value)
      problems.push(`${BUS_INIT_JOB}: ${key}=${busEnv[key]?.value ?? "(unset)"}, compose ${value}`);
  for (const key of Object.keys(busEnv))
    if (!(key in (composeEnv(ctx, "bus-init") ?? {})) && key !== "BUS_REPLICAS")
      problems.push(`${BUS_INIT_JOB}: ${key} is not one of compose's bus-init variables`);
  const nats = named(ctx, "StatefulSet", "nats");
  const dataMount = (
    (((nats && containersOf(nats)[0]) as Container | undefined)?.volumeMounts ?? []) as {
      name: string;
      mountPath: string;
    }[]
  ).find((m) => m.name === "data");
  if (dataMount?.mountPath !== env.NATS_STORE_DIR?.value)
    problems.push(`${SETUP_JOB}: NATS_STORE_DIR is not where NATS keeps its store`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// NATS cluster, availability

/**
 * The bus is a three-server JetStream cluster: the StatefulSet starts its pods together, routes
 * name each of its pods through the headless Service, the configuration includes the one setup
 * generates (where the nats pods mount it); bus-init keeps BUS_REPLICAS copies: every server's
 * in production, one in development. Each workload has a disruption budget; autoscalers only
 * for the AUTOSCALED services (all of them in production, none in development), each owning its
 * Deployment's replica count.
 */
export function availabilityProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const nats = named(ctx, "StatefulSet", "nats");
  if (!nats) return ["no StatefulSet nats"];
  const spec = nats.spec as { replicas?: number; serviceName?: string; podManagementPolicy?: string };
  const replicas = spec.replicas ?? 1;
  if (replicas !== 3) problems.push(`nats has ${replicas} servers, not 3`);
  if (spec.podManagementPolicy !== "Parallel")
    problems.push("nats servers do not start together (podManagementPolicy)");
  const headless = named(ctx, "Service", spec.serviceName ?? "");
  const hs = headless?.spec as
    | { clusterIP?: string; publishNotReadyAddresses?: boolean; ports?: { port: number }[] }
    | undefined;
  if (hs?.clusterIP !== "None" || hs.publishNotReadyAddresses !== true)
    problems.push(`${spec.serviceName}: not a headless Service publishing servers before they are ready`);
  const container = (containersOf(nats) as Container[])[0]!;
  const configPath = ((container.args ?? []) as string[])[1] ?? "";
  const config = configFileOf(ctx, nats, container, configPath);
  if (config === undefined)
    problems.push(`nats: its configuration ${configPath} is no mounted ConfigMap file`);
  else {
    const clusterPort = hs?.ports?.[0]?.port;
    const routes = [...config.matchAll(/"nats:\/\/([^":]+):(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    const expected = Array.from(
      { length: replicas },
      (_, i) => `nats-${i}.${spec.serviceName}:${clusterPort}`,
    );
    if (JSON.stringify(routes) !== JSON.stringify(expected))
      problems.push(`nats routes ${routes.join(" ")}, not ${expected.join(" ")}`);
    const include = /^include\s+"([^"]+)"/m.exec(config)?.[1] ?? "";
    const included = posix.join(posix.dirname(configPath), include);
    const file = secretFileAt(nats, container, included);
    if (file?.secret !== "proximity-nats-config" || !setupSecretKeys(ctx, file.secret).includes(file.key))
      problems.push(`nats does not include the configuration setup generates (${included})`);
    if (!/^server_name:\s*\$POD_NAME$/m.test(config) || envOf(container).POD_NAME?.field !== "metadata.name")
      problems.push("nats servers are not named after their pods");
  }
  const busInit = named(ctx, "Job", BUS_INIT_JOB);
  const busReplicas = Number(
    busInit ? envOf((containersOf(busInit) as Container[])[0]!).BUS_REPLICAS?.value : undefined,
  );
  const expectedCopies = ctx.overlay === "production" ? replicas : 1;
  if (busReplicas !== expectedCopies)
    problems.push(
      `bus-init keeps ${busReplicas} copies of each stream, not ${expectedCopies} (${ctx.overlay})`,
    );

  const budgets = ctx.objects.filter((o) => o.kind === "PodDisruptionBudget");
  for (const w of ctx.objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")) {
    if (w.metadata.name === "proxmox-sim" || w.metadata.name === "postgres") continue; // one pod by design
    const budget = budgets.find((b) => selects((b.spec as { selector?: never }).selector, templateLabels(w)));
    if (!budget) problems.push(`${w.kind} ${w.metadata.name} has no PodDisruptionBudget`);
    else if ((budget.spec as { maxUnavailable?: number }).maxUnavailable !== 1)
      problems.push(`PodDisruptionBudget ${budget.metadata.name}: maxUnavailable is not 1`);
  }
  const autoscalers = ctx.objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const scaled = new Set<string>();
  for (const hpa of autoscalers) {
    const s = hpa.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas?: number };
    const target = s.scaleTargetRef.name;
    scaled.add(target);
    if (!(AUTOSCALED as readonly string[]).includes(target) || s.scaleTargetRef.kind !== "Deployment")
      problems.push(
        `HorizontalPodAutoscaler ${hpa.metadata.name} scales ${s.scaleTargetRef.kind} ${target}, which must not be autoscaled`,
      );
    if ((s.minReplicas ?? 1) < 2)
      problems.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: fewer than 2 replicas`);
    const deployment = named(ctx, "Deployment", target);
    if (!deployment) problems.push(`HorizontalPodAutoscaler ${hpa.metadata.name}: no Deployment ${target}`);
    else if ((deployment.spec as { replicas?: number }).replicas !== undefined)
      problems.push(`Deployment ${target} sets replicas, which its autoscaler owns`);
  }
  for (const service of AUTOSCALED) {
    if (ctx.overlay === "production" && !scaled.has(service))
      problems.push(`${service} is not autoscaled in production`);
    if (ctx.overlay === "development" && scaled.has(service))
      problems.push(`${service} is autoscaled in development`);
  }
  if (ctx.overlay === "production") {
    const provisioner = named(ctx, "Deployment", "provisioner");
    if (((provisioner?.spec as { replicas?: number } | undefined)?.replicas ?? 1) < 2)
      problems.push("the provisioner runs a single replica in production");
    const cluster = ctx.objects.find((o) => o.kind === "Cluster");
    if (((cluster?.spec as { instances?: number } | undefined)?.instances ?? 0) < 3)
      problems.push("PostgreSQL has fewer than 3 instances in production");
  }
  return problems;
}

/** The text of the ConfigMap file at `path` of `container`, through its mounts. */
function configFileOf(
  ctx: KubernetesContext,
  object: KubeObject,
  container: Container,
  path: string,
): string | undefined {
  const pod = podSpecOf(object)!;
  for (const mount of (container.volumeMounts ?? []) as { name: string; mountPath: string }[]) {
    if (posix.dirname(path) !== mount.mountPath) continue;
    const volume = ((pod.volumes ?? []) as { name: string; configMap?: { name: string } }[]).find(
      (v) => v.name === mount.name,
    );
    const map = volume?.configMap && named(ctx, "ConfigMap", volume.configMap.name);
    const data = (map as { data?: Record<string, string> } | undefined)?.data;
    if (data?.[posix.basename(path)] !== undefined) return data[posix.basename(path)];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Network policies

/** A group of pods a policy may select: a workload's template, or CloudNativePG's instances. */
interface PodGroup {
  readonly name: string;
  readonly labels: Record<string, string>;
}

function podGroups(ctx: KubernetesContext): PodGroup[] {
  const groups: PodGroup[] = workloads(ctx).map((w) => ({
    name: w.metadata.name,
    labels: templateLabels(w),
  }));
  for (const cluster of ctx.objects.filter((o) => o.kind === "Cluster")) {
    const inherited = (cluster.spec as { inheritedMetadata?: { labels?: Record<string, string> } })
      .inheritedMetadata?.labels;
    groups.push({
      name: cluster.metadata.name,
      labels: { ...inherited, "cnpg.io/cluster": cluster.metadata.name },
    });
  }
  return groups;
}

type Peer = {
  podSelector?: Parameters<typeof selects>[0];
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
};
type Rule = { from?: Peer[]; to?: Peer[]; ports?: { protocol?: string; port?: number; endPort?: number }[] };

/**
 * Every connection the policies allow, one line each: `<group> ingress from <peer> on <port>` and
 * `<group> egress to <peer> on <port>`. A peer is a pod group of the namespace, `namespace <name>`,
 * `outside` (an address block: anything beyond the cluster) or `anyone` (no peer given).
 */
export function allowedTraffic(ctx: KubernetesContext): string[] {
  const groups = podGroups(ctx);
  const lines = new Set<string>();
  const peersOf = (peers: Peer[] | undefined): string[] => {
    if (!peers || peers.length === 0) return ["anyone"];
    return peers.flatMap((p) => {
      if (p.ipBlock) return ["outside"];
      const ns = p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
      if (p.namespaceSelector) {
        const pods = p.podSelector ? ` pods ${JSON.stringify(p.podSelector.matchLabels)}` : "";
        return [`namespace ${ns ?? JSON.stringify(p.namespaceSelector)}${pods}`];
      }
      const matched = groups.filter((g) => selects(p.podSelector, g.labels)).map((g) => g.name);
      return matched.length > 0 ? matched : ["nobody"];
    });
  };
  const portsOf = (rule: Rule) =>
    (rule.ports ?? [{}]).map((p) => {
      const proto = p.protocol ?? "TCP";
      const port = p.port === undefined ? "any port" : p.endPort ? `${p.port}-${p.endPort}` : String(p.port);
      return proto === "TCP" ? port : `${port}/${proto}`;
    });
  for (const policy of ctx.objects.filter((o) => o.kind === "NetworkPolicy")) {
    const spec = policy.spec as {
      podSelector: Parameters<typeof selects>[0];
      ingress?: Rule[];
      egress?: Rule[];
    };
    const selected = groups.filter(
      (g) => selects(spec.podSelector ?? {}, g.labels) || Object.keys(spec.podSelector ?? {}).length === 0,
    );
    const everyone = Object.keys(spec.podSelector ?? {}).length === 0;
    for (const g of everyone ? [{ name: "every pod", labels: {} }] : selected) {
      for (const rule of spec.ingress ?? [])
        for (const peer of peersOf(rule.from))
          for (const port of portsOf(rule)) lines.add(`${g.name} ingress from ${peer} on ${port}`);
      for (const rule of spec.egress ?? [])
        for (const peer of peersOf(rule.to))
          for (const port of portsOf(rule)) lines.add(`${g.name} egress to ${peer} on ${port}`);
    }
  }
  return [...lines].sort();
}

/**
 * What the policies must allow, and nothing more: derived from the schemas (a service reaches a
 * peer's gRPC port when it has `<PEER>_GRPC_ADDR`, NATS when it has NATS_URL, PostgreSQL when it
 * has DATABASE_URL; the peer accepts exactly those callers), plus the fixed facts: DNS for every
 * pod, the gateway's HTTP port open to anyone, Proxmox (8006, 22 outside the cluster) for the
 * provisioner alone, routes between NATS servers, bus-init to NATS, the setup Job to PostgreSQL
 * and the API server; in development the simulator for the provisioner alone; in production
 * CloudNativePG's instances among themselves, from their operator and to the API server.
 */
export function expectedTraffic(ctx: KubernetesContext): string[] {
  const lines: string[] = [
    'every pod egress to namespace kube-system pods {"k8s-app":"kube-dns"} on 53/UDP',
    'every pod egress to namespace kube-system pods {"k8s-app":"kube-dns"} on 53',
  ];
  const services = serviceDeployments(ctx)
    .map((d) => d.service)
    .filter((s) => s !== "proxmox-sim");
  const database = ctx.objects.find((o) => o.kind === "Cluster")?.metadata.name ?? "postgres";
  const port = (service: string) => defaultOf(ctx.schemas[service], "GRPC_PORT");
  for (const service of services) {
    const shape = shapeOf(ctx.schemas[service]);
    for (const key of Object.keys(shape).filter((k) => k.endsWith("_GRPC_ADDR"))) {
      const peer = key.slice(0, -"_GRPC_ADDR".length).toLowerCase();
      lines.push(
        `${service} egress to ${peer} on ${port(peer)}`,
        `${peer} ingress from ${service} on ${port(peer)}`,
      );
    }
    if ("NATS_URL" in shape)
      lines.push(`${service} egress to nats on 4222`, `nats ingress from ${service} on 4222`);
    if ("DATABASE_URL" in shape)
      lines.push(`${service} egress to ${database} on 5432`, `${database} ingress from ${service} on 5432`);
  }
  const http = defaultOf(ctx.schemas["api-gateway"], "HTTP_PORT");
  lines.push(
    `api-gateway ingress from anyone on ${http}`,
    "provisioner egress to outside on 8006",
    "provisioner egress to outside on 22",
    "nats ingress from nats on 6222",
    "nats egress to nats on 6222",
    `${BUS_INIT_JOB} egress to nats on 4222`,
    `nats ingress from ${BUS_INIT_JOB} on 4222`,
    `${SETUP_JOB} egress to ${database} on 5432`,
    `${database} ingress from ${SETUP_JOB} on 5432`,
    `${SETUP_JOB} egress to outside on 443`,
    `${SETUP_JOB} egress to outside on 6443`,
  );
  if (ctx.overlay === "development")
    for (const p of ["8006", "2222-2223"])
      lines.push(`provisioner egress to proxmox-sim on ${p}`, `proxmox-sim ingress from provisioner on ${p}`);
  if (ctx.objects.some((o) => o.kind === "Cluster"))
    for (const p of ["5432", "8000"])
      lines.push(
        `${database} ingress from namespace cnpg-system on ${p}`,
        `${database} ingress from ${database} on ${p}`,
        `${database} egress to ${database} on ${p}`,
      );
  if (ctx.objects.some((o) => o.kind === "Cluster"))
    lines.push(`${database} egress to outside on 443`, `${database} egress to outside on 6443`);
  return [...new Set(lines)].sort();
}

/**
 * Default deny, then exactly the expected connections (expectedTraffic): a missing one is a
 * broken platform, an extra one an opening nobody reviewed.
 */
export function networkPolicyProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const denyAll = ctx.objects.some((o) => {
    const spec = o.spec as
      | { podSelector?: object; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] }
      | undefined;
    return (
      o.kind === "NetworkPolicy" &&
      Object.keys(spec?.podSelector ?? {}).length === 0 &&
      JSON.stringify([...(spec?.policyTypes ?? [])].sort()) === '["Egress","Ingress"]' &&
      !spec?.ingress?.length &&
      !spec?.egress?.length
    );
  });
  if (!denyAll) problems.push("no default-deny NetworkPolicy (every pod, ingress and egress, no rule)");
  const allowed = new Set(allowedTraffic(ctx));
  const expected = new Set(expectedTraffic(ctx));
  for (const line of expected) if (!allowed.has(line)) problems.push(`not allowed: ${line}`);
  for (const line of allowed)
    if (!expected.has(line)) problems.push(`allowed beyond what is needed: ${line}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------

/**
 * The operator's Secrets are documented: deploy/kubernetes/README.md creates each with its keys.
 */
export function documentationProblems(readme: string): string[] {
  const problems: string[] = [];
  const lines = readme.replace(/\\\n\s*/g, " ").split("\n"); // shell line continuations joined
  for (const [name, keys] of Object.entries(OPERATOR_SECRETS)) {
    const command = lines.find((line) => line.includes(`create secret generic ${name}`)) ?? "";
    if (!command) problems.push(`README.md does not say how to create ${name}`);
    for (const key of keys)
      if (command && !command.includes(`--from-literal=${key}=`))
        problems.push(`README.md creates ${name} without ${key}`);
  }
  return problems;
}

/** Every rule at once. */
export function kubernetesProblems(ctx: KubernetesContext): string[] {
  return [
    ...securityProblems(ctx),
    ...resourceProblems(ctx),
    ...probeProblems(ctx),
    ...imageProblems(ctx),
    ...environmentProblems(ctx),
    ...portProblems(ctx),
    ...secretProblems(ctx),
    ...setupProblems(ctx),
    ...availabilityProblems(ctx),
    ...networkPolicyProblems(ctx),
  ];
}

/** deploy/kubernetes/README.md. */
export const readKubernetesReadme = () =>
  readFileSync(join(repositoryRoot, "deploy/kubernetes/README.md"), "utf8");
