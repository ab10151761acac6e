/** One DNS label, letters of either case: 1–63 letters, digits and inner hyphens. */
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * True when `name` can be a Proxmox node's name: one DNS label, as Proxmox requires. Unlike an
 * app's host name, upper case is kept: the name is Proxmox's, Proximity only repeats it.
 * @example isNodeName("pve1") // true
 * @example isNodeName("pve1.lan") // false
 */
export function isNodeName(name: string): boolean {
  return DNS_LABEL.test(name);
}

/**
 * The API's field-error wording of the rule (it follows the field's name: "node must be …"), the
 * same from the gateway, which answers first, and from the services behind it.
 */
export const NODE_NAME_FIELD_MESSAGE =
  "must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen";
