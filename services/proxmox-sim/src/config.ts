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
    /** Delay of 401 answers (real PVE: about 3 s). */
    SIM_AUTH_FAILURE_DELAY_MS: z.coerce.number().int().min(0).default(3000),
    /**
     * PEM certificate and key files: serve the API over HTTPS like real PVE (both or neither). The
     * certificate's SHA-256 fingerprint goes into the state file so the dev stack can pin it.
     */
    SIM_TLS_CERT_FILE: z.string().min(1).optional(),
    SIM_TLS_KEY_FILE: z.string().min(1).optional(),
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
