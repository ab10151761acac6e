/** Images, environment, configuration: rules of the Kubernetes manifests (index.ts says what they are for). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import { ConfigError, loadConfig } from "@proximity/config";
import { containersOf, type KubeObject, podSpecOf } from "../kustomize.js";
import {
  BUS_INIT_JOB,
  type Container,
  composeEnv,
  envOf,
  imageTag,
  isOurs,
  isRequiredInterpolation,
  KUBERNETES_ONLY_ENV,
  type KubernetesContext,
  named,
  SETUP_JOB,
  SIMULATOR_ONLY_ENV,
  serviceDeployments,
  shapeOf,
  workloads,
} from "./context.js";
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
export function setupInitEnv(ctx: KubernetesContext): Record<string, string> {
  const job = named(ctx, "Job", SETUP_JOB);
  const init = job && (containersOf(job) as Container[]).find((c) => c.name === "init");
  return Object.fromEntries(
    Object.entries(init ? envOf(init) : {})
      .filter(([, v]) => v.value !== undefined)
      .map(([k, v]) => [k, v.value!]),
  );
}
