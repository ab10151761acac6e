import { containersOf, podSpecOf } from "../kustomize.js";
import { type Container, imageName, isOurs, type KubernetesContext, workloads } from "./context.js";
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
