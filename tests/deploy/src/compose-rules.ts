/**
 * The rules the shipped docker-compose.yml must keep (issue 9, review #3 and #10), each a function
 * returning its problems (none when the rule holds), so a test can show every rule catches the
 * mistake it is about.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { ConfigError, loadConfig } from "@proximity/config";
import type { z } from "zod";
import {
  type ComposeFile,
  type ComposeService,
  environmentOf,
  finalStageCommand,
  finalStageUser,
  interpolate,
  interpolationsIn,
  type Mount,
  mountsOf,
} from "./compose.js";

export interface ComposeContext {
  readonly compose: ComposeFile;
  /** The file's text (interpolations are checked as written). */
  readonly text: string;
  /** deploy/Dockerfile. */
  readonly dockerfile: string;
  /** Identities that run as a container (ServiceIdentities without `sre`). */
  readonly identities: readonly string[];
  /** Configuration schema of each container built from deploy/Dockerfile, by compose service. */
  readonly schemas: Readonly<Record<string, z.ZodType>>;
  /** What init writes: the database URL file of a bundle, the simulator's files. */
  readonly written: { readonly databaseUrlFile: string; readonly simulatorFiles: readonly string[] };
}

/** The one container that runs as root and writes keys, credentials and configuration. */
export const INIT = "init";
/** The one-shot that declares the streams and KV buckets as the bus admin, once NATS listens. */
export const BUS_INIT = "bus-init";
/** Setup steps: one-shots built from deploy/Dockerfile that run a setup script, not a service. */
const SETUP_STEPS: readonly string[] = [INIT, BUS_INIT];
/** uid:gid of `node` in the official Node.js images (deploy/Dockerfile's USER). */
export const NODE_USER = "1000:1000";
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|KEK|TOKEN|PRIVATE|CREDENTIAL|SEED|(^|_)KEYS?(_|$)/i;
/** Names of where a value is (a file, a directory, a peer's address), never a value itself. */
const PATH_NAME = /_(FILE|DIR|ADDR)$/;
/** Values this repository once shipped: public knowledge, never again in a compose file. */
const PUBLISHED_VALUES = [
  "ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg",
  "dev-only",
  "6f1c2b9e",
  "proximity:proximity",
];

/**
 * Mounts besides a service's own bundle, reviewed one by one: a new one is added here on purpose,
 * never by accident. `ro` marks read-only mounts.
 */
export const DATA_MOUNTS: Readonly<Record<string, readonly string[]>> = {
  postgres: ["pgdata"],
  nats: ["nats-config:ro", "natsdata"],
  "proxmox-sim": ["sim-credentials:ro"],
  // The bootstrap host registering the simulator (init writes it), not the simulator's own keys.
  hosts: ["hosts-bootstrap:ro"],
  // The bus admin's seed (init writes it): the only volume holding it besides init's.
  [BUS_INIT]: ["bus-admin:ro"],
};

const env = (service: ComposeService | undefined) => (service ? environmentOf(service) : {});
const builtHere = (service: ComposeService) => service.build?.dockerfile === "deploy/Dockerfile";

/** The trust directory of init and which volume holds which bundle. */
function trustLayout(compose: ComposeFile): {
  trustDir: string;
  root?: string;
  bundleVolume: (identity: string) => string | undefined;
  keyVolumes: Set<string>;
  initWritten: Set<string>;
} {
  const init = compose.services[INIT];
  const trustDir = env(init).TRUST_DIR ?? "";
  const mounts = init ? mountsOf(init) : [];
  const writable = new Set((env(init).WRITABLE_DIRS ?? "").split(",").filter(Boolean));
  const keyMounts = mounts.filter(
    (m) => trustDir && (m.target === trustDir || m.target.startsWith(`${trustDir}/`)),
  );
  return {
    trustDir,
    root: mounts.find((m) => m.target === trustDir)?.source,
    bundleVolume: (identity) => mounts.find((m) => m.target === posix.join(trustDir, identity))?.source,
    keyVolumes: new Set(keyMounts.map((m) => m.source)),
    initWritten: new Set(mounts.filter((m) => !writable.has(m.target)).map((m) => m.source)),
  };
}

/**
 * Each service mounts its own bundle, read-only, where SERVICE_KEYS_DIR points, and no other key
 * volume; `sre` and the trust root (CA key) go into no container but init; nothing comes from a
 * host path; any other mount is one of DATA_MOUNTS.
 */
export function keyMountProblems({ compose, identities }: ComposeContext): string[] {
  const problems: string[] = [];
  const layout = trustLayout(compose);
  if (!compose.services[INIT]) return [`no ${INIT} service writes the bundles`];
  if (!layout.trustDir || !layout.root)
    problems.push(`${INIT} has no TRUST_DIR volume (the CA key and sre bundle)`);
  if (layout.bundleVolume("sre"))
    problems.push("the sre bundle has a volume of its own: it must stay in the trust root");
  const owners = new Map<string, string>();
  for (const identity of identities) {
    const volume = layout.bundleVolume(identity);
    if (!volume) problems.push(`${INIT} writes no volume of its own for the ${identity} bundle`);
    else if (owners.has(volume))
      problems.push(`${identity} and ${owners.get(volume)} share the bundle volume ${volume}`);
    else owners.set(volume, identity);
  }
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === INIT) continue;
    const own = identities.includes(name) ? layout.bundleVolume(name) : undefined;
    const mounts = mountsOf(service);
    for (const m of mounts) {
      if (m.bind) problems.push(`${name} mounts the host path ${m.source}`);
      else if (m.source === own) {
        if (!m.readOnly) problems.push(`${name} mounts its bundle writable`);
        if (m.target !== env(service).SERVICE_KEYS_DIR)
          problems.push(`${name} mounts its bundle at ${m.target}, not at SERVICE_KEYS_DIR`);
      } else if (layout.keyVolumes.has(m.source)) {
        const whose =
          m.source === layout.root
            ? "the trust root (CA key, sre bundle)"
            : `${owners.get(m.source)}'s bundle`;
        problems.push(`${name} mounts ${m.source}: ${whose}`);
      } else if (!(DATA_MOUNTS[name] ?? []).includes(m.readOnly ? `${m.source}:ro` : m.source)) {
        problems.push(
          `${name} mounts ${m.source}${m.readOnly ? " (read-only)" : ""}, which is not a reviewed data mount`,
        );
      }
    }
    if (own && !mounts.some((m) => m.source === own))
      problems.push(`${name} does not mount its bundle ${own}`);
  }
  return problems;
}

/** Only init writes what init makes (bundles, NATS configuration, simulator credentials). */
export function initOnlyWriterProblems({ compose }: ComposeContext): string[] {
  const { initWritten } = trustLayout(compose);
  return Object.entries(compose.services)
    .filter(([name]) => name !== INIT)
    .flatMap(([name, service]) =>
      mountsOf(service)
        .filter((m) => initWritten.has(m.source) && !m.readOnly)
        .map((m) => `${name} may write ${m.source}, which only ${INIT} writes`),
    );
}

/**
 * No secret has a default or a literal value: a secret-looking variable is either required from
 * the operator (`${NAME:?message}`) or read from a file init wrote; no URL carries a password; no
 * value this repository once published appears; nothing runs in development mode.
 */
export function secretProblems({ compose, text }: ComposeContext): string[] {
  const problems: string[] = [];
  for (const i of interpolationsIn(text))
    if (SECRET_NAME.test(i.name) && (i.operator !== ":?" || !i.argument.trim()))
      problems.push(
        `\${${i.name}${i.operator}…}: a secret must be required, as \${${i.name}:?<what to set>}`,
      );
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of Object.entries(env(service))) {
      const where = `${name}: ${key}`;
      if (SECRET_NAME.test(key) && !PATH_NAME.test(key) && !/^\$\{[A-Za-z0-9_]+:\?[^}]+\}$/.test(value))
        problems.push(`${where} is a literal secret: require it (\${${key}:?…}) or read it from a file`);
      if (/:\/\/[^/@\s]+:[^/@\s]*@/.test(value)) problems.push(`${where} carries a password in a URL`);
      if (key === "PROXIMITY_MODE" && value !== "production")
        problems.push(`${where}: the stack runs in production mode`);
      if (key === "COOKIE_SECURE" && /^(false|0)$/.test(value))
        problems.push(`${where}: cookies must stay Secure`);
    }
  }
  for (const value of PUBLISHED_VALUES)
    if (text.includes(value))
      problems.push(`the file contains "${value}", a value published with this repository`);
  return problems;
}

/** Every container of ours runs as `node`; init alone as root, handing its files to `node`. */
export function userProblems({ compose, dockerfile }: ComposeContext): string[] {
  const problems: string[] = [];
  const imageUser = finalStageUser(dockerfile);
  if (imageUser !== "node" && imageUser !== NODE_USER.split(":")[0])
    problems.push(`deploy/Dockerfile's final stage runs as ${imageUser ?? "root (no USER)"}, not node`);
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === INIT) {
      if (service.user !== "0:0" && service.user !== "root")
        problems.push(`${INIT} must run as root to hand files over`);
      if (env(service).BUNDLE_OWNER !== NODE_USER)
        problems.push(`${INIT} gives its files to ${env(service).BUNDLE_OWNER ?? "root"}, not ${NODE_USER}`);
    } else if (builtHere(service) || service.image?.startsWith("nats:")) {
      if (service.user !== NODE_USER)
        problems.push(`${name} runs as ${service.user ?? "the image's user"}, not ${NODE_USER}`);
    }
  }
  return problems;
}

/**
 * Each container built from deploy/Dockerfile starts with its configuration: its schema accepts
 * the environment compose gives it (required variables set to stand-in values, files read from
 * what init writes), migrations left to init, production mode.
 */
export function configurationProblems(context: ComposeContext): string[] {
  const { compose, schemas, written } = context;
  const problems: string[] = [];
  const init = env(compose.services[INIT]);
  const dir = mkdtempSync(join(tmpdir(), "compose-env-"));
  try {
    for (const [name, service] of Object.entries(compose.services)) {
      if (SETUP_STEPS.includes(name) || !builtHere(service)) continue;
      const schema = schemas[name];
      if (!schema) {
        problems.push(`${name}: no configuration schema to check it against`);
        continue;
      }
      const source: Record<string, string> = {};
      for (const [key, raw] of Object.entries(env(service))) {
        let value = interpolate(raw, (variable) => `stand-in-for-${variable}-${"x".repeat(32)}`);
        if (key.endsWith("_FILE") && !(key in (schema as z.ZodObject).shape)) {
          const content = fileContent(service, value, written, init, mountsOf(compose.services[INIT] ?? {}));
          if (content === undefined) {
            problems.push(`${name}: ${key} names ${value}, which no mount of init's files provides`);
            continue;
          }
          value = join(dir, `${name}-${key}`);
          writeFileSync(value, content);
        }
        source[key] = value;
      }
      try {
        const config = loadConfig(schema, source) as Record<string, unknown>;
        if ("MIGRATE_ON_START" in config && config.MIGRATE_ON_START !== false)
          problems.push(`${name}: MIGRATE_ON_START must be false (init migrates as the schema's owner)`);
        if ("PROXIMITY_MODE" in config && config.PROXIMITY_MODE !== "production")
          problems.push(`${name}: PROXIMITY_MODE is ${String(config.PROXIMITY_MODE)}`);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems.map((p) => `${name}: ${p}`));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** What a `<NAME>_FILE` path of a service holds once init ran (undefined: nothing init writes). */
function fileContent(
  service: ComposeService,
  path: string,
  written: ComposeContext["written"],
  init: Record<string, string>,
  initMounts: readonly Mount[],
): string | undefined {
  const keysDir = environmentOf(service).SERVICE_KEYS_DIR;
  if (keysDir && path === posix.join(keysDir, written.databaseUrlFile))
    return `postgres://runtime-role@${init.POSTGRES_HOST}:5432/${init.POSTGRES_DB}`;
  const simMount = mountsOf(service).find((m) => m.source === "sim-credentials");
  if (simMount && written.simulatorFiles.some((f) => path === posix.join(simMount.target, f)))
    return `stand-in-credential-${"y".repeat(16)}`;
  // The bootstrap host init writes (SIM_BOOTSTRAP_FILE), where this service mounts its volume.
  const bootstrap = init.SIM_BOOTSTRAP_FILE;
  const initMount = bootstrap ? initMounts.find((m) => bootstrap.startsWith(`${m.target}/`)) : undefined;
  const mount = initMount && mountsOf(service).find((m) => m.source === initMount.source);
  if (
    bootstrap &&
    initMount &&
    mount &&
    path === posix.join(mount.target, posix.relative(initMount.target, bootstrap))
  )
    return "{}";
  return undefined;
}

/**
 * Images, ports and addresses agree: every container of ours is built from deploy/Dockerfile for
 * itself; gRPC addresses name a compose service and its own default port; the gateway publishes
 * its HTTP port on the loopback only; NATS runs the configuration init writes; PostgreSQL is the
 * official image with a required superuser password.
 */
export function consistencyProblems({ compose, identities, schemas }: ComposeContext): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const init = env(services[INIT]);
  for (const [name, service] of Object.entries(services)) {
    if (!builtHere(service)) continue;
    if (service.build?.context !== ".") problems.push(`${name} is not built from the repository root`);
    if (!SETUP_STEPS.includes(name) && service.build?.args?.SERVICE !== name)
      problems.push(`${name} builds SERVICE=${service.build?.args?.SERVICE ?? "(none)"}`);
  }
  for (const identity of identities) if (!services[identity]) problems.push(`no ${identity} service`);
  const defaultPort = (service: string, key: string) => {
    const shape = (schemas[service] as z.ZodObject | undefined)?.shape as
      | Record<string, z.ZodType>
      | undefined;
    return shape?.[key]?.parse(undefined) as number | undefined;
  };
  for (const [name, service] of Object.entries(services)) {
    for (const [key, value] of Object.entries(env(service))) {
      if (!key.endsWith("_GRPC_ADDR")) continue;
      const target = key.slice(0, -"_GRPC_ADDR".length).toLowerCase();
      const port = defaultPort(target, "GRPC_PORT");
      if (value !== `${target}:${port}`)
        problems.push(`${name}: ${key}=${value}, but ${target} listens on ${target}:${port}`);
    }
    const natsUrl = env(service).NATS_URL;
    if (natsUrl && natsUrl !== "nats://nats:4222")
      problems.push(`${name}: NATS_URL=${natsUrl}, not the nats service`);
    const ns = env(service).BUS_NAMESPACE;
    if (ns !== undefined && ns !== (init.BUS_NAMESPACE ?? "proximity"))
      problems.push(`${name}: BUS_NAMESPACE ${ns} differs from the one init configures NATS for`);
  }
  const gateway = services["api-gateway"];
  const httpPort = defaultPort("api-gateway", "HTTP_PORT");
  const ports = (gateway?.ports ?? []).map(String);
  if (ports.length !== 1 || ports[0] !== `127.0.0.1:${httpPort}:${httpPort}`)
    problems.push(
      `api-gateway publishes ${ports.join(", ") || "nothing"}, not 127.0.0.1:${httpPort}:${httpPort}`,
    );
  for (const [name, service] of Object.entries(services))
    if (name !== "api-gateway" && service.ports?.length) problems.push(`${name} publishes a port`);

  const nats = services.nats;
  const configMount = nats && mountsOf(nats).find((m) => m.source === "nats-config");
  const initConfigMount = mountsOf(services[INIT] ?? {}).find((m) => m.source === "nats-config");
  const expected =
    configMount && initConfigMount && init.NATS_CONFIG_FILE
      ? posix.join(configMount.target, posix.relative(initConfigMount.target, init.NATS_CONFIG_FILE))
      : undefined;
  if (!nats?.image?.startsWith("nats:")) problems.push("nats is not the official nats image");
  if (!expected || JSON.stringify(nats?.command) !== JSON.stringify(["-c", expected]))
    problems.push(`nats does not run the configuration init writes (${init.NATS_CONFIG_FILE ?? "none"})`);
  const dataMount = nats && mountsOf(nats).find((m) => m.source === "natsdata");
  if (dataMount?.target !== init.NATS_STORE_DIR)
    problems.push("init's NATS_STORE_DIR is not nats's data volume");

  const postgres = services.postgres;
  const password = env(postgres).POSTGRES_PASSWORD ?? "";
  if (!postgres?.image?.startsWith("postgres:")) problems.push("postgres is not the official postgres image");
  if (!/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/.test(password))
    problems.push("postgres: POSTGRES_PASSWORD is not required");
  if (init.POSTGRES_PASSWORD !== password)
    problems.push(`${INIT} does not use postgres's superuser password`);
  if (init.POSTGRES_HOST !== "postgres" || init.POSTGRES_DB !== env(postgres).POSTGRES_DB)
    problems.push(`${INIT} does not set up postgres's database`);
  return problems;
}

const completed = (service: ComposeService | undefined, on: string) => {
  const deps = service?.depends_on;
  if (!deps || Array.isArray(deps)) return false;
  return deps[on]?.condition === "service_completed_successfully";
};

/**
 * The bus is declared by setup, never by a service: bus-init waits for NATS, reads the bus
 * admin's seed from the volume init writes it to (read-only), declares the same namespace
 * without BUS_DECLARE_STREAMS anywhere; every other container that uses NATS waits for it.
 */
export function busSetupProblems({ compose }: ComposeContext): string[] {
  const problems: string[] = [];
  const busInit = compose.services[BUS_INIT];
  if (!busInit) return [`no ${BUS_INIT} service declares the streams and KV buckets`];
  const init = compose.services[INIT];
  const adminVolume = mountsOf(init ?? {}).find((m) => m.target === env(init).BUS_ADMIN_DIR)?.source;
  if (!adminVolume)
    problems.push(`${INIT} writes the bus admin's seed to no volume of its own (BUS_ADMIN_DIR)`);
  const read = mountsOf(busInit).find((m) => m.target === env(busInit).BUS_ADMIN_DIR);
  if (!read || read.source !== adminVolume || !read.readOnly)
    problems.push(
      `${BUS_INIT} does not read the bus admin's seed, read-only, from ${adminVolume ?? "init's volume"}`,
    );
  const deps = busInit.depends_on;
  if (!deps || (Array.isArray(deps) ? !deps.includes("nats") : !deps.nats))
    problems.push(`${BUS_INIT} does not wait for nats`);
  for (const [name, service] of Object.entries(compose.services)) {
    if (/^(true|1)$/.test(env(service).BUS_DECLARE_STREAMS ?? ""))
      problems.push(`${name}: BUS_DECLARE_STREAMS would have a service declare streams (setup does)`);
    if (name !== BUS_INIT && env(service).NATS_URL && !completed(service, BUS_INIT))
      problems.push(`${name} uses NATS without waiting for ${BUS_INIT} to complete`);
  }
  return problems;
}

/**
 * Volumes holding one component's private material (keys, credentials, data), by owner. Besides
 * init, which writes most of them, only their owner may mount one: never a service that merely
 * talks to that component (the hosts service once mounted the simulator's TLS key and its nodes'
 * SSH host keys to read a state file).
 */
export const PRIVATE_MATERIAL: Readonly<Record<string, string>> = {
  "sim-credentials": "proxmox-sim",
  "hosts-bootstrap": "hosts",
  "bus-admin": BUS_INIT,
  pgdata: "postgres",
  natsdata: "nats",
};

/** No service mounts another component's private material (whatever DATA_MOUNTS says). */
export function privateMaterialProblems({ compose }: ComposeContext): string[] {
  return Object.entries(compose.services)
    .filter(([name]) => name !== INIT)
    .flatMap(([name, service]) =>
      mountsOf(service)
        .filter((m) => PRIVATE_MATERIAL[m.source] !== undefined && PRIVATE_MATERIAL[m.source] !== name)
        .map((m) => `${name} mounts ${m.source}: the private material of ${PRIVATE_MATERIAL[m.source]}`),
    );
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/**
 * The simulator's control API (`/_sim`: faults, containers' files with apps' `.env`) stays on its
 * container's loopback, and init registers the simulator as it runs: the same nodes and ports, at
 * its service name.
 */
export function simulatorProblems({ compose }: ComposeContext): string[] {
  const sim = compose.services["proxmox-sim"];
  if (!sim) return [];
  const problems: string[] = [];
  const simEnv = env(sim);
  const adminHost = simEnv.SIM_ADMIN_HOST;
  if (adminHost !== undefined && !LOOPBACK.test(adminHost))
    problems.push(`proxmox-sim serves its control API on ${adminHost}: keep SIM_ADMIN_HOST on the loopback`);
  const init = env(compose.services[INIT]);
  if (init.SIM_BOOTSTRAP_FILE) {
    for (const key of ["SIM_NODES", "SIM_HTTP_PORT", "SIM_SSH_PORT"])
      if (init[key] !== simEnv[key])
        problems.push(
          `${INIT} registers ${key}=${init[key] ?? "(default)"}, the simulator runs ${simEnv[key] ?? "(default)"}`,
        );
    if (init.SIM_ADDRESS !== "proxmox-sim")
      problems.push(`${INIT} registers the simulator at ${init.SIM_ADDRESS ?? "(default)"}, not proxmox-sim`);
  }
  return problems;
}

/** Every rule at once. */
/**
 * Services run compiled JavaScript, no transpiler (issue 10): the image's build stage compiles
 * (`pnpm build`), its command runs `services/<SERVICE>/dist/main.js` with the `compiled` condition
 * (the workspace packages' dist/), and no service of compose replaces that command. Only the
 * setup one-shots run TypeScript (deploy/*.ts).
 */
export function runtimeProblems({ compose, dockerfile }: ComposeContext): string[] {
  const problems: string[] = [];
  const stages = dockerfile.split(/^FROM\s/m);
  const buildStages = stages.slice(0, -1).join("\n");
  if (!/^RUN\s+pnpm (run )?build\b/m.test(buildStages))
    problems.push("deploy/Dockerfile compiles nothing (no `RUN pnpm build` before the final stage)");
  const command = finalStageCommand(dockerfile) ?? "";
  if (!/services\/\$\{SERVICE\}\/dist\/main\.js/.test(command))
    problems.push(
      `deploy/Dockerfile's command does not run services/<SERVICE>/dist/main.js: ${command || "none"}`,
    );
  if (!command.includes("--conditions=compiled"))
    problems.push(
      "deploy/Dockerfile's command lacks --conditions=compiled (workspace packages would load as TypeScript)",
    );
  if (/\btsx\b|\.ts\b/.test(command))
    problems.push(`deploy/Dockerfile's command runs TypeScript: ${command}`);
  for (const [name, service] of Object.entries(compose.services)) {
    if (!builtHere(service) || SETUP_STEPS.includes(name)) continue;
    const own = service as { command?: unknown; entrypoint?: unknown };
    if (own.command !== undefined || own.entrypoint !== undefined)
      problems.push(`${name} replaces the image's command (services run their compiled main.js)`);
  }
  return problems;
}

export function composeProblems(context: ComposeContext): string[] {
  return [
    ...runtimeProblems(context),
    ...keyMountProblems(context),
    ...initOnlyWriterProblems(context),
    ...secretProblems(context),
    ...userProblems(context),
    ...configurationProblems(context),
    ...consistencyProblems(context),
    ...busSetupProblems(context),
    ...privateMaterialProblems(context),
    ...simulatorProblems(context),
  ];
}
