/** NATS cluster, availability: rules of the Kubernetes manifests (index.ts says what they are for). */
import { posix } from "node:path";
import { containersOf, type KubeObject, podSpecOf } from "../kustomize.js";
import {
  AUTOSCALED,
  BUS_INIT_JOB,
  type Container,
  envOf,
  type KubernetesContext,
  named,
  selects,
  templateLabels,
} from "./context.js";
import { secretFileAt, setupSecretKeys } from "./environment.js";
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
