/** Network policies: rules of the Kubernetes manifests (index.ts says what they are for). */
import {
  BUS_INIT_JOB,
  defaultOf,
  envOf,
  type KubernetesContext,
  SETUP_JOB,
  selects,
  serviceDeployments,
  shapeOf,
  templateLabels,
  workloads,
} from "./context.js";

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

/** The Prometheus that scrapes the services: kube-prometheus-stack's pods in `monitoring`. */
const PROMETHEUS_PEER = 'namespace monitoring pods {"app.kubernetes.io/name":"prometheus"}';

/**
 * What the policies must allow, and nothing more: derived from the schemas (a service reaches a
 * peer's gRPC port when it has `<PEER>_GRPC_ADDR`, NATS when it has NATS_URL, PostgreSQL when it
 * has DATABASE_URL; the peer accepts exactly those callers), plus the fixed facts: DNS for every
 * pod, the gateway's HTTP port open to anyone, Proxmox (8006, 22 outside the cluster) for the
 * provisioner alone, each service's metrics port for Prometheus, routes between NATS servers, bus-init to NATS, the setup Job to PostgreSQL
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
  // Prometheus (the monitoring namespace's Prometheus pods) scrapes each service's metrics port.
  for (const { service, container } of serviceDeployments(ctx)) {
    const metricsPort = envOf(container).METRICS_PORT?.value;
    if (metricsPort && metricsPort !== "0")
      lines.push(`${service} ingress from ${PROMETHEUS_PEER} on ${metricsPort}`);
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
