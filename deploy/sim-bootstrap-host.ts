/**
 * Builds the hosts service's BOOTSTRAP_HOST_JSON that registers a running simulator as the
 * default Proxmox host, from the simulator's state (node SSH ports and host-key fingerprints: the
 * dev runner reads its SIM_STATE_FILE; compose's init derives it from the keys it generated,
 * simulator-credentials.ts) and its credentials. As a script it prints the JSON (each credential
 * from the variable or from the file `<NAME>_FILE` names):
 *   SIM_TOKEN_SECRET_FILE=… SIM_SSH_PASSWORD_FILE=… tsx deploy/sim-bootstrap-host.ts <sim-state.json> [address]
 */
import { readFileSync } from "node:fs";

export interface SimulatorState {
  /** SHA-256 fingerprint of the API certificate when the simulator serves HTTPS. */
  readonly tlsFingerprint?: string;
  readonly nodes: readonly { name: string; sshHost: string; sshPort: number; hostKeyFingerprint: string }[];
}

export function simulatorBootstrapHost(
  state: SimulatorState,
  options: { tokenSecret: string; sshPassword: string; address?: string; port?: number },
): string {
  return JSON.stringify({
    name: "simulator",
    address: options.address ?? "127.0.0.1",
    port: options.port ?? 8006,
    auth_mode: "AUTH_MODE_API_TOKEN",
    username: "root@pam!proximity",
    // Like a real node: HTTPS with its self-signed certificate pinned, when the simulator has one.
    ...(state.tlsFingerprint ? { tls_fingerprint: state.tlsFingerprint } : { insecure_http: true }),
    ssh_username: "root",
    credentials: { api_secret: options.tokenSecret, ssh_password: options.sshPassword },
    nodes: state.nodes.map((n) => ({
      name: n.name,
      ssh_host: options.address ?? n.sshHost,
      ssh_port: n.sshPort,
      ssh_host_key_fingerprint: n.hostKeyFingerprint,
    })),
  });
}

/** A credential from `NAME` or the file `NAME_FILE` names; missing is an error, never an empty default. */
function credential(name: string): string {
  const file = process.env[`${name}_FILE`];
  const value = file ? readFileSync(file, "utf8").trim() : process.env[name];
  if (!value) throw new Error(`${name} (or ${name}_FILE) is required`);
  return value;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, address] = process.argv.slice(2);
  if (!file) throw new Error("usage: sim-bootstrap-host.ts <sim-state.json> [address]");
  const state = JSON.parse(readFileSync(file, "utf8")) as SimulatorState;
  process.stdout.write(
    simulatorBootstrapHost(state, {
      tokenSecret: credential("SIM_TOKEN_SECRET"),
      sshPassword: credential("SIM_SSH_PASSWORD"),
      ...(address ? { address } : {}),
    }),
  );
}
