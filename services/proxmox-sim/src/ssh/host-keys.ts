/**
 * Ed25519 host keys and their OpenSSH `SHA256:` fingerprints.
 */
import { createHash } from "node:crypto";
import ssh2 from "ssh2";

const { utils } = ssh2;

export interface HostKey {
  readonly privateKey: string;
  readonly fingerprint: string;
}

/** A fresh host key (each simulator run gets new ones, like a reinstalled node). */
export function generateHostKey(): HostKey {
  const pair = utils.generateKeyPairSync("ed25519");
  const parsed = utils.parseKey(pair.private);
  if (parsed instanceof Error) throw parsed;
  const blob = parsed.getPublicSSH();
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { privateKey: pair.private, fingerprint };
}
