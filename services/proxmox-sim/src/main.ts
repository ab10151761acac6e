/**
 * Runs the simulator as a process: config, logger, start, state file, shutdown on SIGINT/SIGTERM.
 */
import { writeFile } from "node:fs/promises";
import { loadConfig } from "@proximity/config";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { simulatorConfigSchema } from "./config.js";
import { loadOrCreateHostKeys } from "./host-key-store.js";
import { createProxmoxSimulator } from "./index.js";
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
    authFailureDelayMs: config.SIM_AUTH_FAILURE_DELAY_MS,
    tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
    admin: { host: config.SIM_ADMIN_HOST, port: config.SIM_ADMIN_PORT },
  });
  const running = await sim.start();
  shutdown.register("simulator", () => sim.stop());
  if (config.SIM_STATE_FILE) {
    const state = tls ? { ...running, tlsFingerprint: tls.fingerprint256 } : running;
    await writeFile(config.SIM_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
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
    },
    "Proxmox VE simulator listening",
  );
});
