/**
 * Environment of the simulator process (`pnpm start`). Parsed by main.ts via loadConfig, never at
 * import time.
 */
import { env } from "@proximity/config";
import { z } from "zod";

export const simulatorConfigSchema = z
  .object({
    /** Interface the API and SSH servers listen on. */
    SIM_HOST: z.string().min(1).default("127.0.0.1"),
    /** API port (real PVE: 8006). */
    SIM_HTTP_PORT: env.port(8006),
    /**
     * Interface of the control API (`/_sim/*`: faults, containers' files including apps' `.env`),
     * served without authentication on a listener of its own, never on the API port: keep it on
     * the loopback interface, where only this machine (or this container) reaches it.
     */
    SIM_ADMIN_HOST: z.string().min(1).default("127.0.0.1"),
    /** Port of the control API (0 = ephemeral, written to SIM_STATE_FILE as adminUrl). */
    SIM_ADMIN_PORT: env.port(8007),
    /** SSH port of the first node; node i listens on SIM_SSH_PORT + i (0 = ephemeral). */
    SIM_SSH_PORT: env.port(2222),
    /** Comma-separated node names. */
    SIM_NODES: z
      .string()
      .default("pve1")
      .transform((s) =>
        s
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, "node names are DNS labels"))
          .min(1),
      ),
    /** API token id accepted by the API ("user@realm!name"). */
    SIM_TOKEN_ID: z
      .string()
      .regex(/^[^@!\s]+@[^@!\s]+![^@!\s]+$/, "must look like user@realm!name")
      .default("root@pam!proximity"),
    /** Secret of that token. */
    SIM_TOKEN_SECRET: z.string().min(1),
    /** Password of root@pam for /access/ticket (ticket login disabled when unset). */
    SIM_ROOT_PASSWORD: z.string().min(1).optional(),
    /** SSH login accepted on every node. */
    SIM_SSH_USER: z.string().min(1).default("root"),
    SIM_SSH_PASSWORD: z.string().min(1),
    /** How long each task runs. */
    SIM_TASK_MS: z.coerce.number().int().min(0).default(300),
    /** How long each command inside a container (`pct exec`) takes. */
    SIM_COMMAND_MS: z.coerce.number().int().min(0).default(0),
    /** Delay of 401 answers (real PVE: about 3 s). */
    SIM_AUTH_FAILURE_DELAY_MS: z.coerce.number().int().min(0).default(3000),
    /**
     * PEM certificate and key files: serve the API over HTTPS like real PVE (both or neither). The
     * certificate's SHA-256 fingerprint goes into the state file so the dev stack can pin it.
     */
    SIM_TLS_CERT_FILE: z.string().min(1).optional(),
    SIM_TLS_KEY_FILE: z.string().min(1).optional(),
    /**
     * Simulated Proxmox hosts served by this process (scale benchmarks). Host 0 is the one above;
     * hosts 1 … SIM_HOSTS-1 (fleet.ts) each listen on an address of their own from
     * SIM_HOSTS_FIRST_ADDRESS (same ports), with their own nodes, containers and credentials
     * (SIM_HOSTS_TOKEN_SECRET and SIM_HOSTS_SSH_PASSWORD suffixed `-h<i>`), listed in
     * SIM_HOSTS_STATE_FILE.
     */
    SIM_HOSTS: z.coerce.number().int().min(1).max(10_000).default(1),
    /** Loopback address of host 1 (Linux answers on every 127/8 address without configuration). */
    SIM_HOSTS_FIRST_ADDRESS: z.ipv4().default("127.1.0.1"),
    /** Base of the fleet hosts' token secrets and SSH passwords (default SIM_TOKEN_SECRET, SIM_SSH_PASSWORD). */
    SIM_HOSTS_TOKEN_SECRET: z.string().min(1).optional(),
    SIM_HOSTS_SSH_PASSWORD: z.string().min(1).optional(),
    /**
     * Where hosts 1 … SIM_HOSTS-1 are listed as JSON once all listen (address, base URL, nodes with
     * SSH ports and host key fingerprints; never credentials). Written after SIM_STATE_FILE, which
     * only waits for host 0.
     */
    SIM_HOSTS_STATE_FILE: z.string().min(1).optional(),
    /** Running containers every host starts with (VMIDs from 100, hostname app-<vmid>); 0 = none. */
    SIM_CONTAINERS_PER_HOST: z.coerce.number().int().min(0).max(100_000).default(0),
    /** When set, node SSH ports and host key fingerprints are written here as JSON (for the dev script). */
    SIM_STATE_FILE: z.string().min(1).optional(),
    /** Directory keeping each node's SSH host key across restarts; fresh keys every start when unset. */
    SIM_HOST_KEY_DIR: z.string().min(1).optional(),
    LOG_LEVEL: env.logLevel(),
  })
  .refine((c) => (c.SIM_TLS_CERT_FILE === undefined) === (c.SIM_TLS_KEY_FILE === undefined), {
    message: "SIM_TLS_CERT_FILE and SIM_TLS_KEY_FILE must be set together",
    path: ["SIM_TLS_KEY_FILE"],
  });

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
