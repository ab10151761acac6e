/**
 * deploy/kubernetes without a cluster: every overlay built (by the renderer of the kustomize
 * subset, and by `kubectl kustomize` too where kubectl is installed), every object checked
 * against the Kubernetes schemas, and the rules of src/kubernetes-rules.ts held, each shown to
 * catch the mistake it is about.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { gatewayConfigSchema } from "@proximity/api-gateway";
import { applicationsConfigSchema } from "@proximity/applications";
import { backupsConfigSchema } from "@proximity/backups";
import { BUS_ADMIN_SEED_FILE } from "@proximity/bus";
import { hostsConfigSchema } from "@proximity/hosts";
import { BundleFiles, ServiceIdentities } from "@proximity/identity";
import { provisionerConfigSchema } from "@proximity/provisioner";
import { secretsConfigSchema } from "@proximity/secrets";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  bundleSecretName,
  SetupLayout,
  SetupSecrets,
} from "../../../deploy/kubernetes/setup/setup-secrets.js";
import { DATABASE_URL_FILE } from "../../../deploy/service-databases.js";
import { SimulatorFiles } from "../../../deploy/simulator-credentials.js";
import { simulatorConfigSchema } from "../../../services/proxmox-sim/src/config.js";
import { readCompose, repositoryRoot } from "../src/compose.js";
import {
  availabilityProblems,
  documentationProblems,
  environmentProblems,
  imageProblems,
  type KubernetesContext,
  kubernetesProblems,
  networkPolicyProblems,
  type Overlay,
  portProblems,
  probeProblems,
  readKubernetesReadme,
  resourceProblems,
  secretProblems,
  securityProblems,
  setupProblems,
} from "../src/kubernetes-rules/index.js";
import { schemaProblems } from "../src/kubernetes-schemas.js";
import {
  configMapHash,
  containersOf,
  type KubeObject,
  podSpecOf,
  renderKustomization,
  strategicMerge,
} from "../src/kustomize.js";

const OVERLAYS: readonly Overlay[] = ["development", "production"];
const overlayDir = (overlay: Overlay) => join(repositoryRoot, "deploy/kubernetes/overlays", overlay);
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderKustomization(overlayDir(o))])) as Record<
  Overlay,
  KubeObject[]
>;
const { compose } = readCompose();

function context(overlay: Overlay, objects: KubeObject[] = rendered[overlay]): KubernetesContext {
  return {
    overlay,
    objects,
    compose,
    schemas: {
      "api-gateway": gatewayConfigSchema,
      applications: applicationsConfigSchema,
      hosts: hostsConfigSchema,
      backups: backupsConfigSchema,
      secrets: secretsConfigSchema,
      provisioner: provisionerConfigSchema,
      "proxmox-sim": simulatorConfigSchema,
    },
    setup: { secrets: SetupSecrets, layout: SetupLayout, bundleSecretName },
    written: {
      databaseUrlFile: DATABASE_URL_FILE,
      simulatorFiles: Object.values(SimulatorFiles),
      busAdminSeedFile: BUS_ADMIN_SEED_FILE,
      bundleFiles: (identity, identities) => [
        BundleFiles.signingKey(identity),
        BundleFiles.tlsKey,
        BundleFiles.tlsCert,
        BundleFiles.caCert,
        BundleFiles.natsSeed,
        ...[...identities, "sre"].map(BundleFiles.publicKey),
      ],
    },
    identities: ServiceIdentities.filter((name) => name !== "sre"),
  };
}

/** An overlay's objects changed by `edit` (on a deep copy). */
function variant(
  overlay: Overlay,
  edit: (find: (kind: string, name: string) => KubeObject, objects: KubeObject[]) => void,
) {
  const objects = structuredClone(rendered[overlay]);
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found;
  };
  edit(find, objects);
  return context(overlay, objects);
}

type Container = Record<string, unknown> & { env: { name: string; value?: string; valueFrom?: unknown }[] };
const container = (object: KubeObject, name = object.metadata.name) =>
  containersOf(object).find((c) => c.name === name) as Container;
const setEnv = (c: Container, name: string, value: string) => {
  const entry = c.env.find((e) => e.name === name);
  if (entry) {
    entry.value = value;
    delete entry.valueFrom;
  } else c.env.push({ name, value });
};

/** kubectl where this machine has it (it bundles kustomize); CI's fresh machine may not. */
function kubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter))
    if (dir && existsSync(join(dir, "kubectl"))) return join(dir, "kubectl");
  return undefined;
}

const keyOf = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;

describe("deploy/kubernetes: building the overlays", () => {
  it("kubernetes - every overlay builds, and where kubectl is installed its kustomize builds the very same objects", () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      expect(objects.length).toBeGreaterThan(40);
      expect(new Set(objects.map(keyOf)).size).toBe(objects.length);
      for (const o of objects) if (o.kind !== "Namespace") expect(o.metadata.namespace).toBe("proximity");
    }
    const binary = kubectl();
    if (!binary) {
      console.info("kubectl is not installed: the renderer is not compared with kustomize on this machine");
      return;
    }
    for (const overlay of OVERLAYS) {
      const output = execFileSync(binary, ["kustomize", overlayDir(overlay)], { encoding: "utf8" });
      const theirs = parseAllDocuments(output).map((d) => d.toJS() as KubeObject);
      const byKey = (list: KubeObject[]) => Object.fromEntries(list.map((o) => [keyOf(o), o]));
      expect(byKey(rendered[overlay])).toEqual(byKey(theirs));
    }
  });

  it("kustomize subset - strategic merge merges containers, env and volumes by key (the patch's items first), deletes on null, replaces other lists", () => {
    const target = {
      spec: {
        replicas: 1,
        args: ["a"],
        containers: [
          {
            name: "c",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
            image: "x",
          },
        ],
        volumes: [{ name: "v", emptyDir: {} }],
      },
    };
    const patch = {
      spec: {
        replicas: null,
        args: ["b"],
        containers: [
          {
            name: "c",
            env: [
              { name: "C", value: "3" },
              { name: "B", value: "9" },
            ],
          },
        ],
        volumes: [{ name: "w", secret: { secretName: "s" } }],
      },
    };
    expect(strategicMerge(target, patch)).toEqual({
      spec: {
        args: ["b"],
        containers: [
          {
            name: "c",
            env: [
              { name: "C", value: "3" },
              { name: "B", value: "9" },
              { name: "A", value: "1" },
            ],
            image: "x",
          },
        ],
        volumes: [
          { name: "w", secret: { secretName: "s" } },
          { name: "v", emptyDir: {} },
        ],
      },
    });
    expect(() => strategicMerge(target, { spec: { $patch: "delete" } })).toThrow(/\$patch is not supported/);
  });

  it("kustomize subset - a generated ConfigMap's name carries kustomize's hash; a field outside the subset is refused", () => {
    // `kubectl kustomize` named this ConfigMap sample-79mck77h4g (HTML characters escaped as Go does).
    expect(configMapHash({ "b.conf": "second\n", "a.conf": 'x <y> & "z"\n' })).toBe("79mck77h4g");
    const dir = mkdtempSync(join(tmpdir(), "kustomize-subset-"));
    try {
      writeFileSync(join(dir, "kustomization.yaml"), "resources: []\ncommonLabels:\n  a: b\n");
      expect(() => renderKustomization(dir)).toThrow(
        /commonLabels is outside the supported kustomize subset/,
      );
      writeFileSync(join(dir, "kustomization.yaml"), "patches:\n  - patch: '{}'\n");
      expect(() => renderKustomization(dir)).toThrow(/only patches with a path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("deploy/kubernetes: Kubernetes schemas", () => {
  it("schemas - every object of every overlay is valid for its kind, with no field the API does not know", () => {
    for (const overlay of OVERLAYS) expect(rendered[overlay].flatMap(schemaProblems)).toEqual([]);
  });

  it("schemas - a misspelt field, a wrong type or an unknown kind is refused", () => {
    const objects = structuredClone(rendered.development);
    const gateway = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "api-gateway")!;
    const c = container(gateway);
    c.readinesProbe = c.readinessProbe;
    delete c.readinessProbe;
    expect(schemaProblems(gateway)).toEqual([
      "Deployment api-gateway: .spec.template.spec.containers[0].readinesProbe is not a field of the schema",
    ]);
    (gateway.spec as Record<string, unknown>).replicas = "2";
    expect(schemaProblems(gateway)).toEqual(["Deployment api-gateway: data/spec/replicas must be integer"]);
    const cluster = structuredClone(rendered.production.find((o) => o.kind === "Cluster")!);
    const spec = cluster.spec as Record<string, unknown>;
    spec.instance = spec.instances;
    delete spec.instances;
    expect(schemaProblems(cluster)).toEqual([
      "Cluster proximity-db: spec.instance is not a field this check knows",
      "Cluster proximity-db: spec.instances must be a whole number of at least 1",
    ]);
    expect(schemaProblems({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual(
      ["Widget w: no schema for example.com/v1 Widget"],
    );
  });
});

describe("deploy/kubernetes: rules", () => {
  it("kubernetes - both overlays keep every rule, and the README says how to create every Secret the operator chooses", () => {
    for (const overlay of OVERLAYS) expect(kubernetesProblems(context(overlay))).toEqual([]);
    expect(documentationProblems(readKubernetesReadme())).toEqual([]);
    expect(
      documentationProblems("kubectl create secret generic proximity-secrets-kek --from-file=kek=x"),
    ).toEqual(
      expect.arrayContaining([
        "README.md creates proximity-secrets-kek without kek",
        "README.md does not say how to create proximity-db-superuser",
      ]),
    );
  });

  it("kubernetes - a root container, a writable root filesystem, kept capabilities or a mounted API token are refused", () => {
    const weak = variant("production", (find) => {
      const pod = podSpecOf(find("Deployment", "secrets"))!;
      (pod.securityContext as Record<string, unknown>).runAsUser = 0;
      delete pod.automountServiceAccountToken;
      const c = container(find("Deployment", "secrets"));
      (c.securityContext as Record<string, unknown>).readOnlyRootFilesystem = false;
      (c.securityContext as { capabilities: { drop: string[] } }).capabilities.drop = ["NET_RAW"];
    });
    expect(securityProblems(weak)).toEqual([
      "Deployment secrets: runs as 0:1000, not 1000:1000",
      "Deployment secrets: mounts an API token",
      "Deployment secrets container secrets: does not drop ALL capabilities",
      "Deployment secrets container secrets: its root filesystem is writable",
    ]);
  });

  it("kubernetes - a container without limits, or a service without gRPC health probes on its own port and bundle, is refused", () => {
    const loose = variant("development", (find) => {
      const c = container(find("Deployment", "backups"));
      delete (c.resources as Record<string, unknown>).limits;
      const hosts = container(find("Deployment", "hosts"));
      hosts.readinessProbe = { grpc: { port: 50052 } }; // the kubelet's own: plaintext, refused by mTLS
      (hosts.livenessProbe as { exec: { command: string[] } }).exec.command.pop();
    });
    expect(resourceProblems(loose)).toEqual([
      "Deployment backups container backups: no cpu limit",
      "Deployment backups container backups: no memory limit",
    ]);
    expect(probeProblems(loose)).toEqual([
      "Deployment hosts: readinessProbe is not node /app/deploy/kubernetes/probe/grpc-health.mjs hosts 50052 /run/proximity/keys",
      "Deployment hosts: livenessProbe is not node /app/deploy/kubernetes/probe/grpc-health.mjs hosts 50052 /run/proximity/keys --alive",
    ]);
  });

  it("kubernetes - another image, a service running another SERVICE, a latest tag or NATS other than compose's is refused", () => {
    const wrong = variant("production", (find) => {
      setEnv(container(find("Deployment", "backups")), "SERVICE", "hosts");
      container(find("StatefulSet", "nats")).image = "nats:latest";
      container(find("Job", "proximity-bus-init"), "bus-init").image =
        "registry.example.com/proximity:latest";
    });
    expect(imageProblems(wrong)).toEqual([
      "containers of ours run registry.example.com/proximity:0.1.0, registry.example.com/proximity:latest: one image for all",
      "registry.example.com/proximity:latest: pin a tag, never latest",
      "no Deployment backups runs SERVICE=backups",
      "Deployment backups runs SERVICE=hosts",
      "nats runs nats:latest, compose nats:2.10-alpine",
    ]);
  });

  it("kubernetes - a variable no schema declares, a value unlike compose's, a literal secret or a service told to migrate is refused", () => {
    const drift = variant("development", (find) => {
      const applications = container(find("Deployment", "applications"));
      setEnv(applications, "GRPC_ADDR", "0.0.0.0:50051");
      setEnv(applications, "MIGRATE_ON_START", "true");
      setEnv(
        container(find("Deployment", "secrets")),
        "SECRETS_KEK",
        "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1sb25nLi4uLg==",
      );
      const gateway = container(find("Deployment", "api-gateway"));
      gateway.env = gateway.env.filter((e) => e.name !== "BOOTSTRAP_ADMIN_USERNAME");
      setEnv(gateway, "DATABASE_URL_FILE", "/run/proximity/keys/tls.key.bak");
    });
    expect(environmentProblems(drift)).toEqual([
      "Deployment api-gateway: DATABASE_URL_FILE=/run/proximity/keys/tls.key.bak, compose /run/proximity/keys/database-url",
      "Deployment api-gateway: compose sets BOOTSTRAP_ADMIN_USERNAME, this does not",
      "Deployment api-gateway: DATABASE_URL_FILE names /run/proximity/keys/tls.key.bak, which no Secret of the setup provides",
      "Deployment api-gateway: DATABASE_URL: required but not set",
      "Deployment applications: GRPC_ADDR is not a variable of applications",
      "Deployment applications: MIGRATE_ON_START=true, compose false",
      "Deployment applications: GRPC_ADDR is set here but not in compose (add it to KUBERNETES_ONLY_ENV if reviewed)",
      "Deployment applications: MIGRATE_ON_START must be false (the setup Job migrates)",
      "Deployment secrets: SECRETS_KEK must come from a Secret (compose requires it from the operator)",
    ]);
    expect(secretProblems(drift)).toContain("Deployment secrets: SECRETS_KEK is a literal secret");
    // The simulator's bootstrap host has no place in production.
    const bootstrap = variant("production", (find) =>
      setEnv(
        container(find("Deployment", "hosts")),
        "BOOTSTRAP_HOST_JSON_FILE",
        "/run/proximity/bootstrap/host.json",
      ),
    );
    expect(environmentProblems(bootstrap)).toContain(
      "Deployment hosts: BOOTSTRAP_HOST_JSON_FILE is the simulator's, set in production",
    );
  });

  it("kubernetes - a peer address or a Service port that reaches nothing, an Ingress to another service or without TLS, or a setup pointed away from the database, is refused", () => {
    const lost = variant("production", (find) => {
      setEnv(container(find("Deployment", "applications")), "SECRETS_GRPC_ADDR", "secrets:50051");
      (find("Service", "hosts").spec as { ports: { port: number }[] }).ports[0]!.port = 80;
      setEnv(container(find("Job", "proximity-setup"), "init"), "POSTGRES_HOST", "postgres");
      const ingress = find("Ingress", "proximity").spec as Record<string, unknown>;
      delete ingress.tls;
      (ingress.rules as { http: { paths: { backend: { service: { name: string } } }[] } }[])[0]!.http
        .paths[0]!.backend.service.name = "applications";
    });
    expect(portProblems(lost)).toEqual([
      "Deployment api-gateway: HOSTS_GRPC_ADDR=hosts:50052 does not reach hosts on 50052",
      "Deployment applications: HOSTS_GRPC_ADDR=hosts:50052 does not reach hosts on 50052",
      "Deployment applications: SECRETS_GRPC_ADDR=secrets:50051 does not reach secrets on 50054",
      "Service hosts:50052 does not reach hosts's port 50052",
      "Deployment provisioner: HOSTS_GRPC_ADDR=hosts:50052 does not reach hosts on 50052",
      "Ingress proximity: no TLS (the gateway's cookies are Secure)",
      "Ingress proximity: routes to applications, not the gateway's HTTP port",
      "proximity-setup: POSTGRES_HOST=postgres, not proximity-db-rw (CloudNativePG's read-write Service)",
    ]);
  });

  it("kubernetes - another service's bundle, the CA, a Secret with a value, a writable bundle or a broader setup Role is refused", () => {
    const leaky = variant("development", (find, objects) => {
      objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "proximity-secrets-kek" } });
      const pod = podSpecOf(find("Deployment", "backups"))!;
      (pod.volumes as unknown[]).push({ name: "peer", secret: { secretName: "proximity-bundle-secrets" } });
      (pod.volumes as unknown[]).push({ name: "ca", secret: { secretName: "proximity-ca" } });
      const mounts = container(find("Deployment", "hosts")).volumeMounts as {
        mountPath: string;
        readOnly?: boolean;
      }[];
      delete mounts.find((m) => m.mountPath === "/run/proximity/keys")!.readOnly;
      const role = find("Role", "proximity-setup") as unknown as { rules: { resourceNames?: string[] }[] };
      role.rules[1]!.resourceNames!.push("some-other-secret");
    });
    expect(secretProblems(leaky)).toEqual([
      "Secret proximity-secrets-kek is in the manifests: secrets are made by the setup or the operator",
      "Deployment hosts: mounts its bundle writable",
      "Deployment backups mounts proximity-bundle-secrets: secrets's alone",
      "Deployment backups mounts proximity-ca: the setup's alone",
      "Role proximity-setup names 15 Secrets, not exactly the setup's 14",
    ]);
    const keys = variant("development", (find) => {
      const volume = (
        podSpecOf(find("Deployment", "proxmox-sim"))!.volumes as {
          projected: { sources: { secret: { items?: { key: string }[] } }[] };
        }[]
      )[0]!;
      volume.projected.sources[1]!.secret.items![1]!.key = "pve3.key";
    });
    expect(secretProblems(keys)).toEqual([
      "Deployment proxmox-sim mounts key pve3.key of proximity-sim-host-keys, which the setup does not write",
    ]);
  });

  it("kubernetes - a setup unlike compose's init, an API token in init's container or keys on disk is refused", () => {
    const unlike = variant("development", (find) => {
      const job = find("Job", "proximity-setup");
      const init = container(job, "init");
      setEnv(init, "BUNDLE_OWNER", "0:0");
      setEnv(init, "TRUST_DIR", "/keys");
      init.env = init.env.filter((e) => e.name !== "SIM_NODES");
      (init.volumeMounts as unknown[]).push({
        name: "api-access",
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
      });
      const scratch = (podSpecOf(job)!.volumes as { name: string; emptyDir?: object }[]).find(
        (v) => v.name === "setup",
      )!;
      scratch.emptyDir = {};
      setEnv(container(find("Job", "proximity-bus-init"), "bus-init"), "BUS_DECLARE_STREAMS", "true");
    });
    expect(setupProblems(unlike)).toEqual([
      "proximity-setup: TRUST_DIR=/keys, not /setup/keys",
      "proximity-setup: BUNDLE_OWNER=0:0, compose 1000:1000",
      "proximity-setup: compose's init sets SIM_NODES, the Job does not",
      "proximity-setup: container init has the API token",
      "proximity-setup: keys are written to disk (scratch directory not in memory)",
      "proximity-bus-init: BUS_DECLARE_STREAMS is not one of compose's bus-init variables",
    ]);
  });

  it("kubernetes - a two-server bus, one copy of each stream in production, a missing budget or an autoscaled provisioner is refused", () => {
    const fragile = variant("production", (find) => {
      (find("StatefulSet", "nats").spec as { replicas: number }).replicas = 2;
      setEnv(container(find("Job", "proximity-bus-init"), "bus-init"), "BUS_REPLICAS", "1");
      const hpa = find("HorizontalPodAutoscaler", "secrets");
      (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = "provisioner";
      find("PodDisruptionBudget", "backups").metadata.name = "renamed";
      (
        find("PodDisruptionBudget", "renamed").spec as { selector: { matchLabels: Record<string, string> } }
      ).selector.matchLabels["app.kubernetes.io/name"] = "nobody";
    });
    expect(availabilityProblems(fragile)).toEqual([
      "nats has 2 servers, not 3",
      "nats routes nats-0.nats-cluster:6222 nats-1.nats-cluster:6222 nats-2.nats-cluster:6222, not nats-0.nats-cluster:6222 nats-1.nats-cluster:6222",
      "bus-init keeps 1 copies of each stream, not 2 (production)",
      "Deployment backups has no PodDisruptionBudget",
      "HorizontalPodAutoscaler secrets scales Deployment provisioner, which must not be autoscaled",
      "Deployment provisioner sets replicas, which its autoscaler owns",
      "secrets is not autoscaled in production",
    ]);
    const development = variant("development", (find) =>
      setEnv(container(find("Job", "proximity-bus-init"), "bus-init"), "BUS_REPLICAS", "3"),
    );
    expect(availabilityProblems(development)).toEqual([
      "bus-init keeps 3 copies of each stream, not 1 (development)",
    ]);
  });

  it("kubernetes - without default deny, a missing peer, an extra opening or Proxmox reachable by another service is refused", () => {
    const open = variant("development", (find) => {
      find("NetworkPolicy", "default-deny").metadata.name = "gone";
      (find("NetworkPolicy", "gone").spec as { policyTypes: string[] }).policyTypes = ["Ingress"];
      const hosts = find("NetworkPolicy", "hosts").spec as { egress: unknown[] };
      hosts.egress = hosts.egress.filter((r) => !JSON.stringify(r).includes("50054"));
      hosts.egress.push({
        to: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
        ports: [{ protocol: "TCP", port: 8006 }],
      });
      const backups = find("NetworkPolicy", "backups").spec as { ingress: { from?: unknown }[] };
      delete backups.ingress[0]!.from;
    });
    expect(networkPolicyProblems(open)).toEqual([
      "no default-deny NetworkPolicy (every pod, ingress and egress, no rule)",
      "not allowed: backups ingress from api-gateway on 50053",
      "not allowed: hosts egress to secrets on 50054",
      "allowed beyond what is needed: backups ingress from anyone on 50053",
      "allowed beyond what is needed: hosts egress to outside on 8006",
    ]);
  });
});
