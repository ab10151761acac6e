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

/**
 * An ed25519 key pair in OpenSSH format that ssh2 can parse back. ssh2's generator drops a leading
 * zero byte of the public key about once in 250 keys, producing a pair its own parser rejects
 * ("Malformed OpenSSH private key"); such a pair is simply generated again.
 */
export function generateSshKeyPair(): { private: string; public: string } {
  for (let attempt = 0; ; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
    if (attempt >= 20) throw new Error("could not generate a parseable ed25519 key");
  }
}

/** A fresh host key (like a reinstalled node). */
export function generateHostKey(): HostKey {
  return hostKeyFromPrivate(generateSshKeyPair().private);
}

/** A host key from its OpenSSH private key (a node keeps its key across restarts). */
export function hostKeyFromPrivate(privateKey: string): HostKey {
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  const blob = parsed.getPublicSSH();
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { privateKey, fingerprint };
}
