import { containersOf, podSpecOf } from "../kustomize.js";
import {
  BUS_INIT_JOB,
  type Container,
  envOf,
  type KubernetesContext,
  named,
  OPERATOR_SECRETS,
  PATH_NAME,
  SECRET_NAME,
  SETUP_JOB,
  serviceOf,
  workloads,
} from "./context.js";
import { setupSecretKeys } from "./environment.js";
/**
 * Secrets as compose keeps its volumes: no Secret with a value in the manifests and no literal
 * secret variable; each service mounts its own bundle, read-only, at SERVICE_KEYS_DIR, and no
 * other's; the CA, the public keys and the `sre` bundle go into no pod; each other setup Secret
 * is mounted by its one consumer only; a mounted item or Secret key is one the setup writes or an
 * OPERATOR_SECRETS key; the setup's Role names exactly the setup's Secrets.
 */
export function secretProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  for (const o of ctx.objects.filter((o) => o.kind === "Secret"))
    problems.push(
      `Secret ${o.metadata.name} is in the manifests: secrets are made by the setup or the operator`,
    );
  const setupNames = new Set(ctx.setup.secrets.map((s) => s.name));
  const consumers: Record<string, string> = {
    "proximity-nats-config": "nats",
    "proximity-bus-admin": BUS_INIT_JOB,
    "proximity-sim-credentials": "proxmox-sim",
    "proximity-sim-host-keys": "proxmox-sim",
    "proximity-hosts-bootstrap": "hosts",
  };
  for (const identity of ctx.identities) consumers[ctx.setup.bundleSecretName(identity)] = identity;
  for (const object of workloads(ctx)) {
    const where = `${object.kind} ${object.metadata.name}`;
    const pod = podSpecOf(object)!;
    const volumes = (pod.volumes ?? []) as Record<string, unknown>[];
    const secretsOf = (v: Record<string, unknown>) => [
      ...(v.secret ? [v.secret as { secretName: string; items?: { key: string }[] }] : []).map((s) => ({
        name: s.secretName,
        items: s.items,
      })),
      ...(
        (v.projected as { sources?: { secret?: { name: string; items?: { key: string }[] } }[] })?.sources ??
        []
      )
        .filter((s) => s.secret)
        .map((s) => s.secret!),
    ];
    for (const volume of volumes)
      for (const s of secretsOf(volume)) {
        if (!setupNames.has(s.name))
          problems.push(`${where} mounts ${s.name}, which the setup does not write`);
        else if (consumers[s.name] !== object.metadata.name)
          problems.push(
            `${where} mounts ${s.name}: ${consumers[s.name] ? `${consumers[s.name]}'s alone` : "the setup's alone"}`,
          );
        const keys = setupSecretKeys(ctx, s.name);
        for (const item of s.items ?? [])
          if (!keys.includes(item.key))
            problems.push(`${where} mounts key ${item.key} of ${s.name}, which the setup does not write`);
      }
    for (const c of containersOf(object) as Container[]) {
      for (const [key, value] of Object.entries(envOf(c))) {
        if (value.secret) {
          const allowed = OPERATOR_SECRETS[value.secret.name];
          if (!allowed?.includes(value.secret.key))
            problems.push(
              `${where}: ${key} reads ${value.secret.name}/${value.secret.key}, not an operator Secret's key`,
            );
        } else if (value.value !== undefined && SECRET_NAME.test(key) && !PATH_NAME.test(key))
          problems.push(`${where}: ${key} is a literal secret`);
        if (value.value && /:\/\/[^/@\s]+:[^/@\s]*@/.test(value.value))
          problems.push(`${where}: ${key} carries a password in a URL`);
      }
      const service = serviceOf(c);
      if (!service || !ctx.identities.includes(service)) continue;
      const keysDir = envOf(c).SERVICE_KEYS_DIR?.value ?? "";
      const mount = (
        (c.volumeMounts ?? []) as { name: string; mountPath: string; readOnly?: boolean }[]
      ).find((m) => m.mountPath === keysDir);
      const volume = volumes.find((v) => v.name === mount?.name);
      const own = ctx.setup.bundleSecretName(service);
      if (!mount || (volume?.secret as { secretName?: string } | undefined)?.secretName !== own)
        problems.push(`${where}: does not mount its bundle ${own} at SERVICE_KEYS_DIR`);
      else if (mount.readOnly !== true) problems.push(`${where}: mounts its bundle writable`);
    }
  }
  const role = named(ctx, "Role", SETUP_JOB);
  const names = ((role?.rules ?? []) as { resourceNames?: string[]; verbs: string[] }[]).flatMap(
    (r) => r.resourceNames ?? [],
  );
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...setupNames].sort()))
    problems.push(
      `Role ${SETUP_JOB} names ${names.length} Secrets, not exactly the setup's ${setupNames.size}`,
    );
  for (const r of (role?.rules ?? []) as {
    resources?: string[];
    verbs: string[];
    resourceNames?: string[];
  }[])
    if (
      JSON.stringify(r.resources) !== '["secrets"]' ||
      (!r.resourceNames && JSON.stringify(r.verbs) !== '["create"]')
    )
      problems.push(
        `Role ${SETUP_JOB} allows ${r.verbs.join(",")} on ${(r.resources ?? []).join(",")} beyond its Secrets`,
      );
  return problems;
}
