/**
 * The rules the Kubernetes manifests (deploy/kubernetes, rendered per overlay) must keep, each a
 * function returning its problems (none when the rule holds), so a test can show that every rule
 * catches the mistake it is about. Where compose already says something (images, ports,
 * variables, what init writes), the manifests must say the same: docker-compose.yml and each
 * service's configuration schema are the references, not a list kept here.
 *
 * This module: the context every rule gets, and the helpers the rules share.
 */
import type { z } from "zod";
import { type ComposeFile, environmentOf } from "../compose.js";
import { containersOf, type KubeObject } from "../kustomize.js";
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
export const INIT_ENV_NOT_NEEDED = ["WRITABLE_DIRS"];
/** init's variables naming where it writes: below the Job's scratch directory (SetupLayout). */
export const INIT_PATHS: Readonly<Record<string, { layout: string; file?: boolean }>> = {
  TRUST_DIR: { layout: "trust" },
  NATS_CONFIG_FILE: { layout: "natsConfig", file: true },
  BUS_ADMIN_DIR: { layout: "busAdmin" },
  SIM_DIR: { layout: "simulator" },
  SIM_BOOTSTRAP_FILE: { layout: "hostsBootstrap", file: true },
};

export const SECRET_NAME = /SECRET|PASSWORD|PASSWD|KEK|TOKEN|PRIVATE|CREDENTIAL|SEED|(^|_)KEYS?(_|$)/i;
export const PATH_NAME = /_(FILE|DIR|ADDR)$/;

export type Container = Record<string, unknown> & { name: string; image?: string };
export interface EnvValue {
  readonly value?: string;
  readonly secret?: { readonly name: string; readonly key: string };
  readonly field?: string;
}

export const isWorkload = (o: KubeObject) => ["Deployment", "StatefulSet", "Job"].includes(o.kind);
export const workloads = (ctx: KubernetesContext) => ctx.objects.filter(isWorkload);
export const named = (ctx: KubernetesContext, kind: string, name: string) =>
  ctx.objects.find((o) => o.kind === kind && o.metadata.name === name);
export const templateLabels = (o: KubeObject): Record<string, string> =>
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
export const serviceOf = (c: Container) => envOf(c).SERVICE?.value;
export const isOurs = (c: Container) =>
  imageName(c.image ?? "")
    .split("/")
    .pop() === PROXIMITY_IMAGE;
export const imageName = (image: string) => {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(0, at) : image;
};
export const imageTag = (image: string) => {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(at + 1) : undefined;
};

/** The Deployments running a Proximity service (env SERVICE), with that container. */
export function serviceDeployments(
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

export const shapeOf = (schema: z.ZodType | undefined) =>
  ((schema as z.ZodObject | undefined)?.shape ?? {}) as Record<string, z.ZodType>;
export const defaultOf = (schema: z.ZodType | undefined, key: string) =>
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

export const composeEnv = (ctx: KubernetesContext, service: string) => {
  const s = ctx.compose.services[service];
  return s ? environmentOf(s) : undefined;
};
/** A compose value an operator must set (`${NAME:?…}`): on Kubernetes it comes from a Secret. */
export const isRequiredInterpolation = (value: string) => /^\$\{[A-Za-z0-9_]+:\?[^}]+\}$/.test(value);
