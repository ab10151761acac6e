/**
 * Reads the SSH host key a node presents, for trust on first use (issue 3: only when an admin asked
 * for it). The verifier records the key and rejects it, so the handshake stops before any
 * authentication: no credential is offered to a host whose key nobody has vouched for yet.
 */
import { UnavailableError } from "@proximity/errors";
import { Client } from "ssh2";
import { fingerprintOf } from "./host-key.js";

export interface HostKeyProbeTarget {
  readonly host: string;
  readonly port: number;
}

/** @returns the OpenSSH "SHA256:…" fingerprint; rejects with UnavailableError when none was seen. */
export function readHostKeyFingerprint(
  target: HostKeyProbeTarget,
  options: { timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: string | undefined;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      if (presented !== undefined) resolve(presented);
      else reject(new UnavailableError(`Could not read the SSH host key of ${target.host}`, err));
    };
    // Rejecting the key makes ssh2 end with an error: that is the expected way out once recorded.
    client.on("error", (err: Error) => finish(err));
    client.once("close", () => finish());
    client.once("ready", () => finish());
    try {
      client.connect({
        host: target.host,
        port: target.port,
        // Never used for authentication (the handshake stops at the host key).
        username: "proximity-host-key-probe",
        readyTimeout: options.timeoutMs,
        hostVerifier: (key: Buffer) => {
          presented = fingerprintOf(key);
          return false;
        },
      });
    } catch (err) {
      finish(err as Error);
    }
  });
}
