/**
 * How many operations may work on one node, and on one host, at once (platform-wide), and the
 * pure bookkeeping of who holds those slots. A key's holders are a map holder id → expiry (epoch
 * ms): a holder that is not renewed in time (its replica crashed) stops counting by itself.
 */

/** The limits in force: defaults from the configuration, overridden per host and per node. */
export interface SlotLimits {
  readonly node: number;
  readonly host: number;
  /** `<hostId>` → limit of each of its nodes; `<hostId>/<node>` → limit of that node. */
  readonly nodeOverrides: ReadonlyMap<string, number>;
  /** `<hostId>` → limit of the whole host. */
  readonly hostOverrides: ReadonlyMap<string, number>;
}

/** Operations allowed on `node` of `hostId` at once. */
export function nodeLimitOf(limits: SlotLimits, hostId: string, node: string): number {
  return limits.nodeOverrides.get(`${hostId}/${node}`) ?? limits.nodeOverrides.get(hostId) ?? limits.node;
}

/** Operations allowed on all nodes of `hostId` together at once. */
export function hostLimitOf(limits: SlotLimits, hostId: string): number {
  return limits.hostOverrides.get(hostId) ?? limits.host;
}

/**
 * Parses `host-a=8,host-b/pve2=2` (whitespace ignored; empty = no override). Throws on anything
 * else, naming the bad entry, so a typo fails at start rather than silently using the default.
 * @example parseLimitOverrides("h1=8, h1/pve2=2") // Map { "h1" => 8, "h1/pve2" => 2 }
 */
export function parseLimitOverrides(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^([^=\s/]+(?:\/[^=\s/]+)?)\s*=\s*(\d{1,4})$/.exec(entry);
    const limit = Number(m?.[2]);
    if (!m?.[1] || !(limit >= 1))
      throw new Error(`bad limit override "${entry}" (want <hostId>[/<node>]=<n ≥ 1>)`);
    out.set(m[1], limit);
  }
  return out;
}

/** Holder id → expiry (epoch ms). */
export type Holders = Readonly<Record<string, number>>;

/** The holders whose lease has not expired at `now`. */
export function liveHolders(holders: Holders, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, until] of Object.entries(holders)) if (until > now) out[id] = until;
  return out;
}

/**
 * A host's holders, all nodes together, are kept in one place; each holder id begins with its
 * node's name (`<node>/<holder>`), so taking a slot on a node and on its host is one write.
 * @example holderOn("pve1", "replica-a#7.3f2c") // "pve1/replica-a#7.3f2c"
 */
export function holderOn(node: string, holder: string): string {
  return `${node}/${holder}`;
}

/**
 * Live holders on `node` at `now`. A holder whose id names no node was written by a replica older
 * than `holderOn` (a rolling upgrade): its node is unknown, so it counts as on every node.
 */
export function holdersOnNode(holders: Holders, node: string, now: number): number {
  return countOnNode(Object.keys(liveHolders(holders, now)), node);
}

function countOnNode(liveIds: readonly string[], node: string): number {
  return liveIds.filter((id) => id.startsWith(`${node}/`) || !id.includes("/")).length;
}

/** Free slots on `node` at `now`: under the node's limit and its host's, whichever is tighter (≥ 0). */
export function roomOnNode(
  holders: Holders,
  node: string,
  limits: { readonly node: number; readonly host: number },
  now: number,
): number {
  const live = Object.keys(liveHolders(holders, now));
  return Math.max(0, Math.min(limits.node - countOnNode(live, node), limits.host - live.length));
}

/** Decodes a key's value; anything unreadable counts as no holders (the next write repairs it). */
export function decodeHolders(bytes: Uint8Array | undefined): Record<string, number> {
  if (!bytes || bytes.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, number> = {};
    for (const [id, until] of Object.entries(parsed)) if (typeof until === "number") out[id] = until;
    return out;
  } catch {
    return {};
  }
}
