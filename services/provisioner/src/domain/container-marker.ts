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
