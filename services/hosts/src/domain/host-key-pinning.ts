import { isSshFingerprint } from "./host-fields.js";

/** A registered node as far as trust on first use is concerned. */
export interface TofuNode {
  readonly name: string;
  readonly sshHostKeyFingerprint: string;
  readonly trustOnFirstUse: boolean;
}

/** A host key a check read from a node. */
export interface PresentedKey {
  readonly name: string;
  readonly sshHostKeyFingerprint: string;
}

/**
 * The keys a check report may pin: only for nodes the admin opened to trust on first use that
 * still have no key. A node with a pinned key is never re-pinned, whatever the report says: a
 * different key there is a mismatch for the SSH layer to refuse, not a key to learn.
 */
export function hostKeysToPin(
  nodes: readonly TofuNode[],
  presented: readonly PresentedKey[],
): { node: string; fingerprint: string }[] {
  const keys = new Map(presented.map((p) => [p.name, p.sshHostKeyFingerprint]));
  return nodes.flatMap((n) => {
    const fingerprint = keys.get(n.name) ?? "";
    const pending = n.trustOnFirstUse && n.sshHostKeyFingerprint === "";
    return pending && isSshFingerprint(fingerprint) ? [{ node: n.name, fingerprint }] : [];
  });
}
