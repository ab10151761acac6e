/** Ports and addresses: rules of the Kubernetes manifests (index.ts says what they are for). */
import { podSpecOf } from "../kustomize.js";
import {
  type Container,
  defaultOf,
  envOf,
  type KubernetesContext,
  named,
  SETUP_JOB,
  selects,
  serviceDeployments,
  templateLabels,
  workloads,
} from "./context.js";
import { setupInitEnv } from "./environment.js";
import { containerPort } from "./resources.js";
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
