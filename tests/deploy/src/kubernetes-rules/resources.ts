import { containersOf, podSpecOf } from "../kustomize.js";
import {
  type Container,
  defaultOf,
  envOf,
  GRPC_PROBE,
  type KubernetesContext,
  serviceDeployments,
  workloads,
} from "./context.js";

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
export function containerPort(container: Container, port: unknown): number | undefined {
  if (typeof port === "number") return port;
  return ((container.ports ?? []) as { name?: string; containerPort: number }[]).find((p) => p.name === port)
    ?.containerPort;
}
