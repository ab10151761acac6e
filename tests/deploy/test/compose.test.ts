import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gatewayConfigSchema } from "@proximity/api-gateway";
import { applicationsConfigSchema } from "@proximity/applications";
import { backupsConfigSchema } from "@proximity/backups";
import { hostsConfigSchema } from "@proximity/hosts";
import { ServiceIdentities } from "@proximity/identity";
import { provisionerConfigSchema } from "@proximity/provisioner";
import { secretsConfigSchema } from "@proximity/secrets";
import { describe, expect, it } from "vitest";
import { DATABASE_URL_FILE } from "../../../deploy/service-databases.js";
import { SimulatorFiles } from "../../../deploy/simulator-credentials.js";
import { simulatorConfigSchema } from "../../../services/proxmox-sim/src/config.js";
import { type ComposeFile, readCompose, repositoryRoot } from "../src/compose.js";
import {
  busSetupProblems,
  type ComposeContext,
  composeProblems,
  configurationProblems,
  consistencyProblems,
  initOnlyWriterProblems,
  keyMountProblems,
  privateMaterialProblems,
  runtimeProblems,
  secretProblems,
  simulatorProblems,
  userProblems,
} from "../src/compose-rules.js";

const shipped = readCompose();
const dockerfile = readFileSync(join(repositoryRoot, "deploy/Dockerfile"), "utf8");
const context: ComposeContext = {
  ...shipped,
  dockerfile,
  identities: ServiceIdentities.filter((name) => name !== "sre"),
  schemas: {
    "api-gateway": gatewayConfigSchema,
    applications: applicationsConfigSchema,
    hosts: hostsConfigSchema,
    backups: backupsConfigSchema,
    secrets: secretsConfigSchema,
    provisioner: provisionerConfigSchema,
    "proxmox-sim": simulatorConfigSchema,
  },
  written: { databaseUrlFile: DATABASE_URL_FILE, simulatorFiles: Object.values(SimulatorFiles) },
};

/** The shipped file changed by `edit` (on a deep copy), as text and data. */
function variant(edit: (compose: ComposeFile) => void, text = shipped.text): ComposeContext {
  // Through JSON: YAML aliases (`environment: *env`) become copies, so an edit touches one service.
  const compose = JSON.parse(JSON.stringify(shipped.compose)) as ComposeFile;
  edit(compose);
  return { ...context, compose, text };
}

describe("docker-compose.yml", () => {
  it("compose - the shipped file keeps every rule", () => {
    expect(composeProblems(context)).toEqual([]);
  });

  it("compose - a shared keys volume, as the file once had, is refused", () => {
    const shared = variant((c) => {
      for (const service of Object.values(c.services))
        (service as { volumes?: string[] }).volumes = [
          ...((service.volumes as string[] | undefined) ?? []),
          "trust:/keys:ro",
        ];
    });
    const problems = keyMountProblems(shared);
    expect(problems).toContain("applications mounts trust: the trust root (CA key, sre bundle)");
    expect(problems).toContain("api-gateway mounts trust: the trust root (CA key, sre bundle)");
    const bindMount = variant(
      (c) => void (c.services.backups as { volumes: string[] }).volumes.push("./.dev/trust:/keys:ro"),
    );
    expect(keyMountProblems(bindMount)).toEqual(["backups mounts the host path ./.dev/trust"]);
  });

  it("compose - another service's bundle, the sre bundle or a bundle shared by two is refused", () => {
    const peer = variant(
      (c) => void (c.services.provisioner as { volumes: string[] }).volumes.push("keys-api-gateway:/peer:ro"),
    );
    expect(keyMountProblems(peer)).toEqual(["provisioner mounts keys-api-gateway: api-gateway's bundle"]);
    const sre = variant(
      (c) => void (c.services.init as { volumes: string[] }).volumes.push("keys-sre:/keys/sre"),
    );
    expect(keyMountProblems(sre)).toContain(
      "the sre bundle has a volume of its own: it must stay in the trust root",
    );
    const one = variant((c) => {
      const init = c.services.init as { volumes: string[] };
      init.volumes = init.volumes.map((v) =>
        v === "keys-backups:/keys/backups" ? "keys-hosts:/keys/backups" : v,
      );
    });
    expect(keyMountProblems(one)).toContain("backups and hosts share the bundle volume keys-hosts");
  });

  it("compose - a writable bundle or init's files writable by a service are refused", () => {
    const writable = variant((c) => {
      const hosts = c.services.hosts as { volumes: string[] };
      hosts.volumes = hosts.volumes.map((v) => v.replace(/:ro$/, ""));
    });
    expect(initOnlyWriterProblems(writable)).toEqual([
      "hosts may write keys-hosts, which only init writes",
      "hosts may write hosts-bootstrap, which only init writes",
    ]);
  });

  it("compose - a default or literal secret, a password in a URL or a published value is refused", () => {
    const fallback = shipped.text.replace(
      /\$\{SECRETS_KEK:\?[^}]+\}/,
      `\${SECRETS_KEK:-ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg==}`,
    );
    expect(secretProblems({ ...context, text: fallback })).toEqual([
      `\${SECRETS_KEK:-…}: a secret must be required, as \${SECRETS_KEK:?<what to set>}`,
      'the file contains "ZGV2LW9ubHkta2V5LWVuY3J5cHRpb24ta2V5LTMyYg", a value published with this repository',
    ]);
    const literal = variant((c) => {
      const env = c.services["proxmox-sim"]!.environment as Record<string, string>;
      env.SIM_SSH_PASSWORD = "hunter2";
      (c.services.backups!.environment as Record<string, string>).DATABASE_URL =
        "postgres://proximity:proximity@postgres:5432/proximity";
    });
    expect(secretProblems(literal)).toEqual([
      `proxmox-sim: SIM_SSH_PASSWORD is a literal secret: require it (\${SIM_SSH_PASSWORD:?…}) or read it from a file`,
      "backups: DATABASE_URL carries a password in a URL",
    ]);
    const empty = shipped.text.replace(
      /\$\{BOOTSTRAP_ADMIN_PASSWORD:\?[^}]+\}/,
      `\${BOOTSTRAP_ADMIN_PASSWORD:-}`,
    );
    expect(secretProblems({ ...context, text: empty })).toHaveLength(1);
  });

  it("compose - a service running as root, or init handing its files to another user, is refused", () => {
    const root = variant((c) => {
      delete (c.services.secrets as { user?: string }).user;
      (c.services.init!.environment as Record<string, string>).BUNDLE_OWNER = "0:0";
    });
    expect(userProblems(root)).toEqual([
      "init gives its files to 0:0, not 1000:1000",
      "secrets runs as the image's user, not 1000:1000",
    ]);
    expect(userProblems({ ...context, dockerfile: dockerfile.replace(/^USER node$/m, "") })).toEqual([
      "deploy/Dockerfile's final stage runs as root (no USER), not node",
    ]);
  });

  it("compose - services run compiled JavaScript: an image running TypeScript, or not compiling, is refused", () => {
    expect(runtimeProblems(context)).toEqual([]);
    // The command this image once had: TypeScript through tsx (`$` + `{SERVICE}`: the shell's variable).
    const tsxCommand = `["sh", "-c", "exec node --import tsx services/${"$"}{SERVICE}/src/main.ts"]`;
    const tsx = dockerfile.replace(/^CMD .*$/m, `CMD ${tsxCommand}`).replace(/^RUN pnpm build$/m, "");
    expect(runtimeProblems({ ...context, dockerfile: tsx })).toEqual([
      "deploy/Dockerfile compiles nothing (no `RUN pnpm build` before the final stage)",
      `deploy/Dockerfile's command does not run services/<SERVICE>/dist/main.js: ${tsxCommand}`,
      "deploy/Dockerfile's command lacks --conditions=compiled (workspace packages would load as TypeScript)",
      `deploy/Dockerfile's command runs TypeScript: ${tsxCommand}`,
    ]);
    const overridden = variant((c) => {
      (c.services.hosts as { command?: string[] }).command = [
        "node",
        "--import",
        "tsx",
        "services/hosts/src/main.ts",
      ];
    });
    expect(runtimeProblems(overridden)).toEqual([
      "hosts replaces the image's command (services run their compiled main.js)",
    ]);
  });

  it("compose - a service missing a required variable, or told to migrate itself, is refused", () => {
    const missing = variant((c) => {
      delete (c.services.secrets!.environment as Record<string, string>).SECRETS_KEK;
      delete (c.services.hosts!.environment as Record<string, string>).SERVICE_KEYS_DIR;
      (c.services.backups!.environment as Record<string, string>).MIGRATE_ON_START = "true";
      (c.services.applications!.environment as Record<string, string>).DATABASE_URL_FILE = "/etc/elsewhere";
    });
    expect(configurationProblems(missing)).toEqual([
      "secrets: SECRETS_KEK: required: set SECRETS_KEK (base64 of 32 bytes) or SECRETS_KEK_FILE (JSON key ring)",
      // Without SERVICE_KEYS_DIR the database URL is no longer the bundle's file either.
      "hosts: DATABASE_URL_FILE names /run/proximity/keys/database-url, which no mount of init's files provides",
      "hosts: SERVICE_KEYS_DIR: required but not set",
      "hosts: DATABASE_URL: required but not set",
      "applications: DATABASE_URL_FILE names /etc/elsewhere, which no mount of init's files provides",
      "applications: DATABASE_URL: required but not set",
      "backups: MIGRATE_ON_START must be false (init migrates as the schema's owner)",
    ]);
  });

  it("compose - a wrong port, image or published address is refused", () => {
    const wrong = variant((c) => {
      (c.services.applications!.environment as Record<string, string>).SECRETS_GRPC_ADDR = "secrets:50051";
      (c.services["api-gateway"] as { ports: string[] }).ports = ["8080:8080"];
      (c.services.provisioner!.build!.args as Record<string, string>).SERVICE = "backups";
      (c.services.nats as { command: string[] }).command = ["-js"];
    });
    expect(consistencyProblems(wrong)).toEqual([
      "provisioner builds SERVICE=backups",
      "applications: SECRETS_GRPC_ADDR=secrets:50051, but secrets listens on secrets:50054",
      "api-gateway publishes 8080:8080, not 127.0.0.1:8080:8080",
      "nats does not run the configuration init writes (/nats-config/nats.conf)",
    ]);
  });

  it("compose - a service that may start before bus-init, declares its own streams, or a bus-init without the admin's seed is refused", () => {
    const early = variant((c) => {
      const deps = c.services.provisioner!.depends_on as Record<string, unknown>;
      delete deps["bus-init"];
      (c.services.backups!.environment as Record<string, string>).BUS_DECLARE_STREAMS = "true";
      (c.services["bus-init"] as { volumes: string[] }).volumes = ["bus-admin:/run/proximity/bus-admin"];
    });
    expect(busSetupProblems(early)).toEqual([
      "bus-init does not read the bus admin's seed, read-only, from bus-admin",
      "backups: BUS_DECLARE_STREAMS would have a service declare streams (setup does)",
      "provisioner uses NATS without waiting for bus-init to complete",
    ]);
    // The seed is a reviewed mount of bus-init alone.
    const leaked = variant(
      (c) => void (c.services.hosts as { volumes: string[] }).volumes.push("bus-admin:/admin:ro"),
    );
    expect(keyMountProblems(leaked)).toEqual([
      "hosts mounts bus-admin (read-only), which is not a reviewed data mount",
    ]);
  });

  it("compose - a service mounting another component's private material is refused, even as a reviewed mount", () => {
    // What the file once did: hosts read the simulator's state next to its TLS key and SSH host keys.
    const peeking = variant((c) => {
      (c.services.hosts as { volumes: string[] }).volumes.push("sim-credentials:/run/proximity/sim:ro");
      (c.services.applications as { volumes: string[] }).volumes.push("pgdata:/pg:ro");
      (c.services["proxmox-sim"] as { volumes: string[] }).volumes.push("hosts-bootstrap:/b:ro");
    });
    expect(privateMaterialProblems(peeking)).toEqual([
      "proxmox-sim mounts hosts-bootstrap: the private material of hosts",
      "hosts mounts sim-credentials: the private material of proxmox-sim",
      "applications mounts pgdata: the private material of postgres",
    ]);
    expect(privateMaterialProblems(context)).toEqual([]);
  });

  it("compose - the simulator's control API off the loopback, or a bootstrap host for another simulator, is refused", () => {
    const exposed = variant((c) => {
      const sim = c.services["proxmox-sim"]!.environment as Record<string, string>;
      sim.SIM_ADMIN_HOST = "0.0.0.0";
      sim.SIM_SSH_PORT = "2022";
    });
    expect(simulatorProblems(exposed)).toEqual([
      "proxmox-sim serves its control API on 0.0.0.0: keep SIM_ADMIN_HOST on the loopback",
      "init registers SIM_SSH_PORT=2222, the simulator runs 2022",
    ]);
    const loopback = variant((c) => {
      (c.services["proxmox-sim"]!.environment as Record<string, string>).SIM_ADMIN_HOST = "127.0.0.1";
    });
    expect(simulatorProblems(loopback)).toEqual([]);
  });
});
