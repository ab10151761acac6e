/**
 * How Proximity marks its containers on Proxmox, and how "already exists" is judged against the
 * mark: a container whose description names our operation is ours (a create we started before a
 * crash or retry); anything else is someone else's.
 */

/** Tag on every Proximity container. */
export const PROXIMITY_TAG = "proximity";

/** Description written at create time; carries the app and the operation that created it. */
export function containerDescription(appId: string, operationId: string): string {
  return `proximity app=${appId} operation=${operationId}`;
}

/** True when the container config (GET …/config) carries the mark of `operationId`. */
export function isCreatedBy(config: Readonly<Record<string, unknown>>, operationId: string): boolean {
  const description = typeof config.description === "string" ? config.description : "";
  return description.split(/\s+/).includes(`operation=${operationId}`);
}

/** The app id in a Proximity description (`proximity app=<id> …`), or undefined when unmarked. */
export function markedAppId(description: unknown): string | undefined {
  if (typeof description !== "string") return undefined;
  const words = description.trim().split(/\s+/);
  if (words[0] !== "proximity") return undefined;
  return words.find((w) => w.startsWith("app="))?.slice(4) || undefined;
}

/** True when a Proxmox tag list (`;`, `,` or space separated) holds Proximity's tag. */
export function hasProximityTag(tags: unknown): boolean {
  return typeof tags === "string" && tags.split(/[;,\s]+/).includes(PROXIMITY_TAG);
}

/** The tag list with Proximity's tag added (kept once, order kept). */
export function withProximityTag(tags: unknown): string {
  const list = typeof tags === "string" ? tags.split(/[;,\s]+/).filter(Boolean) : [];
  return list.includes(PROXIMITY_TAG) ? list.join(";") : [...list, PROXIMITY_TAG].join(";");
}
