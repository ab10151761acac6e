import { utils } from "ssh2";

/**
 * An ed25519 key pair ssh2 can parse back. ssh2's generator drops a leading zero byte of the
 * public key about once in 250 keys, producing a pair its own parser rejects; generate again.
 */
export function sshKeyPair(): { private: string; public: string } {
  for (let attempt = 0; ; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error))
      return pair;
    if (attempt >= 20) throw new Error("could not generate a parseable ed25519 key");
  }
}
