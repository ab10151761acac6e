/** Characters of a Proxmox storage id. */
export const STORAGE_ID_MAX_LENGTH = 64;

/**
 * PVE's `pve-storage-id` format, length included (one check, one message): a lower-case letter,
 * then lower-case letters, digits, '-', '_' or '.'. Exported for schema validators, which publish
 * it in the OpenAPI document; it has no `g` flag, so sharing the object is safe.
 */
export const STORAGE_ID_PATTERN = /^[a-z][a-z0-9\-_.]{0,63}$/;

/**
 * True when `storage` can name a Proxmox storage (where backups go, e.g. `local`).
 * @example isStorageId("local-zfs") // true
 * @example isStorageId("Local") // false
 */
export function isStorageId(storage: string): boolean {
  return STORAGE_ID_PATTERN.test(storage);
}

/** The API's field-error wording of the rule, from the gateway and the services behind it alike. */
export const STORAGE_ID_FIELD_MESSAGE =
  "must be a Proxmox storage ID such as local: a lower-case letter, then lower-case letters, digits, '-', '_' or '.', at most 64 characters";
