/** Setup steps: rules of the Kubernetes manifests (index.ts says what they are for). */
import { posix } from "node:path";
import { containersOf, podSpecOf } from "../kustomize.js";
import {
  BUS_INIT_JOB,
  type Container,
  composeEnv,
  envOf,
  INIT_ENV_NOT_NEEDED,
  INIT_PATHS,
  isRequiredInterpolation,
  type KubernetesContext,
  named,
  SETUP_JOB,
} from "./context.js";
/**
 * The setup Job is compose's init: the same variables (its paths below the Job's scratch
 * directory, SetupLayout; the superuser from the operator's Secret), the simulator's only in
 * development; restore and publish work in that directory with the API token mounted into them
 * alone; the scratch directory is memory. bus-init has compose's variables and BUS_REPLICAS;
 * NATS_STORE_DIR is where the NATS servers keep their store.
 */
export function setupProblems(ctx: KubernetesContext): string[] {
  const problems: string[] = [];
  const job = named(ctx, "Job", SETUP_JOB);
  if (!job) return [`no Job ${SETUP_JOB}`];
  const containers = containersOf(job) as Container[];
  const init = containers.find((c) => c.name === "init");
  const env = init ? envOf(init) : {};
  const setupDir =
    envOf(containers.find((c) => c.name === "restore") ?? ({} as Container)).SETUP_DIR?.value ?? "";
  const composeInit = composeEnv(ctx, "init") ?? {};
  for (const [key, value] of Object.entries(composeInit)) {
    if (INIT_ENV_NOT_NEEDED.includes(key)) continue;
    const simulator = key.startsWith("SIM_");
    if (simulator && ctx.overlay === "production") {
      if (env[key]) problems.push(`${SETUP_JOB}: ${key} is set in production (no simulator)`);
      continue;
    }
    const mine = env[key];
    const path = INIT_PATHS[key];
    if (!mine) problems.push(`${SETUP_JOB}: compose's init sets ${key}, the Job does not`);
    else if (isRequiredInterpolation(value)) {
      if (mine.secret?.name !== "proximity-db-superuser")
        problems.push(`${SETUP_JOB}: ${key} is not from proximity-db-superuser`);
    } else if (path) {
      const layout = ctx.setup.layout[path.layout] ?? "";
      const expected = path.file
        ? posix.join(setupDir, layout, posix.basename(value))
        : posix.join(setupDir, layout);
      if (mine.value !== expected) problems.push(`${SETUP_JOB}: ${key}=${mine.value}, not ${expected}`);
    } else if (key === "POSTGRES_HOST" || key === "SIM_ADDRESS") {
      // Addresses: checked against the Services (portProblems, simulator below).
    } else if (key === "POSTGRES_USER") {
      if (mine.secret?.name !== "proximity-db-superuser")
        problems.push(`${SETUP_JOB}: POSTGRES_USER is not from proximity-db-superuser`);
    } else if (mine.value !== value)
      problems.push(`${SETUP_JOB}: ${key}=${mine.value ?? "(a reference)"}, compose ${value}`);
  }
  for (const key of Object.keys(env))
    if (!(key in composeInit) && key !== "LOG_LEVEL")
      problems.push(`${SETUP_JOB}: ${key} is not one of compose's init variables`);
  if (env.SIM_ADDRESS && !named(ctx, "Service", env.SIM_ADDRESS.value ?? ""))
    problems.push(`${SETUP_JOB}: SIM_ADDRESS=${env.SIM_ADDRESS.value} is no Service`);

  for (const [name, step] of [
    ["restore", "restore"],
    ["publish", "publish"],
  ]) {
    const c = containers.find((x) => x.name === name);
    if (
      JSON.stringify(c?.command) !==
      JSON.stringify(["node", "--import", "tsx", "deploy/kubernetes/setup/sync-secrets.ts", step])
    )
      problems.push(`${SETUP_JOB}: container ${name} does not run sync-secrets.ts ${step}`);
    if (envOf(c ?? ({} as Container)).SETUP_DIR?.value !== setupDir)
      problems.push(`${SETUP_JOB}: ${name} works elsewhere than ${setupDir}`);
  }
  const pod = podSpecOf(job)!;
  const api = ((pod.volumes ?? []) as Record<string, unknown>[]).find((v) =>
    ((v.projected as { sources?: { serviceAccountToken?: unknown }[] })?.sources ?? []).some(
      (s) => s.serviceAccountToken,
    ),
  );
  for (const c of containers) {
    const mounts = ((c.volumeMounts ?? []) as { name: string }[]).map((m) => m.name);
    const hasToken = api !== undefined && mounts.includes(api.name as string);
    if (hasToken !== (c.name === "restore" || c.name === "publish"))
      problems.push(`${SETUP_JOB}: container ${c.name} ${hasToken ? "has" : "lacks"} the API token`);
  }
  const scratch = ((pod.volumes ?? []) as { name: string; emptyDir?: { medium?: string } }[]).find((v) =>
    containers.some((c) =>
      ((c.volumeMounts ?? []) as { name: string; mountPath: string }[]).some(
        (m) => m.name === v.name && m.mountPath === setupDir,
      ),
    ),
  );
  if (scratch?.emptyDir?.medium !== "Memory")
    problems.push(`${SETUP_JOB}: keys are written to disk (scratch directory not in memory)`);

  const busInit = named(ctx, "Job", BUS_INIT_JOB);
  const busEnv = busInit ? envOf((containersOf(busInit) as Container[])[0]!) : {};
  for (const [key, value] of Object.entries(composeEnv(ctx, "bus-init") ?? {}))
    if (busEnv[key]?.value !== value)
      problems.push(`${BUS_INIT_JOB}: ${key}=${busEnv[key]?.value ?? "(unset)"}, compose ${value}`);
  for (const key of Object.keys(busEnv))
    if (!(key in (composeEnv(ctx, "bus-init") ?? {})) && key !== "BUS_REPLICAS")
      problems.push(`${BUS_INIT_JOB}: ${key} is not one of compose's bus-init variables`);
  const nats = named(ctx, "StatefulSet", "nats");
  const dataMount = (
    (((nats && containersOf(nats)[0]) as Container | undefined)?.volumeMounts ?? []) as {
      name: string;
      mountPath: string;
    }[]
  ).find((m) => m.name === "data");
  if (dataMount?.mountPath !== env.NATS_STORE_DIR?.value)
    problems.push(`${SETUP_JOB}: NATS_STORE_DIR is not where NATS keeps its store`);
  return problems;
}
