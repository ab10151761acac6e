import { isIP } from "node:net";

/** Field syntax of hosts and nodes (pure predicates). */

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Host names in Proximity: short, lower-case, usable in URLs and secret names. */
export const isHostName = (s: string) => /^[a-z0-9][a-z0-9-_.]{0,62}$/.test(s);

/** A DNS label, as Proxmox requires of node names. */
export const isDnsLabel = (s: string) => HOSTNAME_LABEL.test(s);

/** A DNS host name or an IPv4/IPv6 address. */
export const isHostnameOrIp = (s: string) =>
  isIP(s) !== 0 || (s.length <= 253 && s.split(".").every((label) => HOSTNAME_LABEL.test(label)));

export const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** `user@realm!tokenid`, the user part of a PVEAPIToken. */
export const isApiTokenId = (s: string) => /^[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*$/.test(s);

/** `user@realm`, a Proxmox user. */
export const isProxmoxUser = (s: string) => /^[^\s@!]+@[^\s@!]+$/.test(s);

/** SHA-256 certificate fingerprint `AA:BB:…` (32 bytes). */
export const isSha256Fingerprint = (s: string) => /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i.test(s);

/** OpenSSH host key fingerprint `SHA256:<base64 of 32 bytes, unpadded>`. */
export const isSshFingerprint = (s: string) => /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(s);

/** A POSIX login name. */
export const isSshUser = (s: string) => /^[a-z_][a-z0-9_-]{0,31}$/.test(s);

/** A Proxmox storage id (PVE's `pve-storage-id` format), at most 64 characters. */
export const isStorageId = (s: string) => s.length <= 64 && /^[a-z][a-z0-9\-_.]*$/.test(s);

export const isUuid = (s: string) => UUID.test(s);
