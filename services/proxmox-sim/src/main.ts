/**
 * Runs the simulator as a process: config, logger, start, state file, shutdown on SIGINT/SIGTERM.
 */
import { rename, writeFile } from "node:fs/promises";
import { loadConfig } from "@proximity/config";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { simulatorConfigSchema } from "./config.js";
import { loadOrCreateHostKeys } from "./host-key-store.js";
import { createProxmoxSimulator, createSimulatorFleet } from "./index.js";
import { loadSimTls } from "./tls.js";

runMain(async () => {
  const config = loadConfig(simulatorConfigSchema);
  const logger = createLogger({ service: "proxmox-sim", level: config.LOG_LEVEL });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.installSignalHandlers();
  const tls =
    config.SIM_TLS_CERT_FILE && config.SIM_TLS_KEY_FILE
      ? await loadSimTls(config.SIM_TLS_CERT_FILE, config.SIM_TLS_KEY_FILE)
      : undefined;
  const hostKeys = config.SIM_HOST_KEY_DIR
    ? await loadOrCreateHostKeys(config.SIM_HOST_KEY_DIR, config.SIM_NODES)
    : undefined;
  const sim = createProxmoxSimulator({
    nodes: config.SIM_NODES,
    hostKeys,
    host: config.SIM_HOST,
    httpPort: config.SIM_HTTP_PORT,
    sshPort: config.SIM_SSH_PORT,
    tokens: [{ tokenId: config.SIM_TOKEN_ID, secret: config.SIM_TOKEN_SECRET }],
    users: config.SIM_ROOT_PASSWORD ? [{ username: "root@pam", password: config.SIM_ROOT_PASSWORD }] : [],
    ssh: { username: config.SIM_SSH_USER, password: config.SIM_SSH_PASSWORD },
    taskDurationMs: config.SIM_TASK_MS,
    commandDurationMs: config.SIM_COMMAND_MS,
    authFailureDelayMs: config.SIM_AUTH_FAILURE_DELAY_MS,
    tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
    admin: { host: config.SIM_ADMIN_HOST, port: config.SIM_ADMIN_PORT },
    containers: config.SIM_CONTAINERS_PER_HOST,
  });
  const running = await sim.start();
  shutdown.register("simulator", () => sim.stop());
  if (config.SIM_STATE_FILE) {
    const state = tls ? { ...running, tlsFingerprint: tls.fingerprint256 } : running;
    await writeFile(config.SIM_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  }
  const fleet = createSimulatorFleet({
    count: config.SIM_HOSTS,
    firstAddress: config.SIM_HOSTS_FIRST_ADDRESS,
    tokenId: config.SIM_TOKEN_ID,
    tokenSecret: config.SIM_HOSTS_TOKEN_SECRET ?? config.SIM_TOKEN_SECRET,
    sshUser: config.SIM_SSH_USER,
    sshPassword: config.SIM_HOSTS_SSH_PASSWORD ?? config.SIM_SSH_PASSWORD,
    shared: {
      nodes: config.SIM_NODES,
      // Same ports on every address (0: ephemeral, each host's are in the fleet's state file).
      httpPort: config.SIM_HTTP_PORT,
      sshPort: config.SIM_SSH_PORT,
      taskDurationMs: config.SIM_TASK_MS,
      commandDurationMs: config.SIM_COMMAND_MS,
      authFailureDelayMs: config.SIM_AUTH_FAILURE_DELAY_MS,
      containers: config.SIM_CONTAINERS_PER_HOST,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
    },
  });
  shutdown.register("simulated fleet", () => fleet.stop());
  const fleetHosts = await fleet.start();
  if (config.SIM_HOSTS_STATE_FILE) {
    // Renamed into place: a reader never sees half a file.
    const hosts = { tlsFingerprint: tls?.fingerprint256, hosts: fleetHosts };
    await writeFile(`${config.SIM_HOSTS_STATE_FILE}.tmp`, `${JSON.stringify(hosts)}\n`);
    await rename(`${config.SIM_HOSTS_STATE_FILE}.tmp`, config.SIM_HOSTS_STATE_FILE);
  }
  // Only names, ports and fingerprints: never the token secret or passwords.
  logger.info(
    {
      baseUrl: running.baseUrl,
      adminUrl: running.adminUrl,
      tlsFingerprint: tls?.fingerprint256,
      tokenId: config.SIM_TOKEN_ID,
      nodes: running.nodes,
      taskMs: config.SIM_TASK_MS,
      hosts: config.SIM_HOSTS,
      containersPerHost: config.SIM_CONTAINERS_PER_HOST,
    },
    "Proxmox VE simulator listening",
  );
});
