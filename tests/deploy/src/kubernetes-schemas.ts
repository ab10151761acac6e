/**
 * Every rendered object checked against the Kubernetes API's schemas, without a cluster: the
 * JSON-schema validators of `kubernetes-models` (generated from Kubernetes' OpenAPI), made strict
 * the way `kubeconform -strict` is: a field the schema does not declare (a typo such as
 * `readinesProbe`, which the API server would silently drop) is a problem too. CloudNativePG's
 * Cluster has no model package: a structural check of the fields used stands in for it.
 */
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import type { KubeObject } from "./kustomize.js";

interface ModelClass {
  new (data: unknown): object;
  prototype: { validate(): void };
}

/** The kinds deploy/kubernetes may hold, by `apiVersion/kind`. */
const MODELS: Readonly<Record<string, ModelClass>> = Object.fromEntries(
  (
    [
      ["v1", "Namespace", Namespace],
      ["v1", "ServiceAccount", ServiceAccount],
      ["v1", "ConfigMap", ConfigMap],
      ["v1", "Secret", Secret],
      ["v1", "Service", Service],
      ["apps/v1", "Deployment", Deployment],
      ["apps/v1", "StatefulSet", StatefulSet],
      ["batch/v1", "Job", Job],
      ["rbac.authorization.k8s.io/v1", "Role", Role],
      ["rbac.authorization.k8s.io/v1", "RoleBinding", RoleBinding],
      ["policy/v1", "PodDisruptionBudget", PodDisruptionBudget],
      ["networking.k8s.io/v1", "NetworkPolicy", NetworkPolicy],
      ["networking.k8s.io/v1", "Ingress", Ingress],
      ["autoscaling/v2", "HorizontalPodAutoscaler", HorizontalPodAutoscaler],
    ] as const
  ).map(([version, kind, model]) => [`${version}/${kind}`, model as unknown as ModelClass]),
);

const isPlain = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Problems of one object against its kind's schema: what the validator refuses, and every field
 * it never looked at. The validators read each declared field by name (and every key of a map
 * field), so a key of an object they walked but never read is one the schema does not declare.
 */
export function schemaProblems(object: KubeObject): string[] {
  const where = `${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  if (object.apiVersion === "postgresql.cnpg.io/v1" && object.kind === "Cluster")
    return cnpgClusterProblems(object).map((p) => `${where}: ${p}`);
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return [`${where}: no schema for ${object.apiVersion} ${object.kind}`];
  const model = new Model(object);
  const read = new WeakMap<object, Set<PropertyKey>>();
  const watch = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    return new Proxy(value, {
      get(target, key, receiver) {
        if (!read.has(target)) read.set(target, new Set());
        read.get(target)!.add(key);
        return watch(Reflect.get(target, key, receiver));
      },
    });
  };
  try {
    Model.prototype.validate.call(watch(model));
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`);
    if (!isPlain(value) && !(value instanceof Model)) return;
    const seen = read.get(value as object);
    if (!seen) return; // under a field already reported
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (!seen.has(key)) problems.push(`${where}: ${path}.${key} is not a field of the schema`);
      else walk(child, `${path}.${key}`);
    }
  };
  walk(model, "");
  return problems;
}

/**
 * CloudNativePG's Cluster, the fields deploy/kubernetes uses (postgresql.cnpg.io/v1, checked by
 * hand: no model package exists): instances, the image, storage, the superuser Secret, initdb.
 */
function cnpgClusterProblems(object: KubeObject): string[] {
  const problems: string[] = [];
  const spec = object.spec as Record<string, unknown> | undefined;
  if (!isPlain(spec)) return ["spec is missing"];
  const known = new Set([
    "instances",
    "imageName",
    "enableSuperuserAccess",
    "superuserSecret",
    "bootstrap",
    "storage",
    "resources",
    "affinity",
    "inheritedMetadata",
    "postgresql",
    "monitoring",
    "backup",
  ]);
  for (const key of Object.keys(spec))
    if (!known.has(key)) problems.push(`spec.${key} is not a field this check knows`);
  if (!Number.isInteger(spec.instances) || (spec.instances as number) < 1)
    problems.push("spec.instances must be a whole number of at least 1");
  if (typeof spec.imageName !== "string" || !/^[^\s:]+:[\w][\w.-]*$/.test(spec.imageName))
    problems.push("spec.imageName must be an image with a tag");
  const storage = spec.storage as { size?: unknown } | undefined;
  if (typeof storage?.size !== "string" || !/^\d+(Mi|Gi|Ti)$/.test(storage.size))
    problems.push("spec.storage.size must be a quantity such as 20Gi");
  if (spec.enableSuperuserAccess !== undefined && typeof spec.enableSuperuserAccess !== "boolean")
    problems.push("spec.enableSuperuserAccess must be a boolean");
  const superuser = spec.superuserSecret as { name?: unknown } | undefined;
  if (superuser !== undefined && typeof superuser.name !== "string")
    problems.push("spec.superuserSecret.name must name a Secret");
  const initdb = (spec.bootstrap as { initdb?: Record<string, unknown> } | undefined)?.initdb;
  if (!isPlain(initdb) || typeof initdb.database !== "string" || typeof initdb.owner !== "string")
    problems.push("spec.bootstrap.initdb must name its database and owner");
  const labels = (spec.inheritedMetadata as { labels?: unknown } | undefined)?.labels;
  if (labels !== undefined && (!isPlain(labels) || Object.values(labels).some((v) => typeof v !== "string")))
    problems.push("spec.inheritedMetadata.labels must map names to strings");
  return problems;
}
