/**
 * Checkers for PVE's named string formats (pve-common JSONSchema.pm `register_format`), for the
 * formats Proximity's calls use. A format not listed here is not checked (it is not an error), so
 * adding a call with a new format means adding its checker here.
 */
const vmid = (v: string) => /^[1-9]\d{2,8}$/.test(v);
const dnsLabel = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;
const storageId = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;
const configId = /^[a-z][a-z0-9_-]+$/i;
const CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"];
const list = (v: string) => v.split(/[,;\s]+/).filter(Boolean);

export const FORMATS: Readonly<Record<string, (v: string) => boolean>> = {
  "pve-vmid": vmid,
  "pve-vmid-list": (v) => list(v).every(vmid),
  "pve-node": (v) => dnsLabel.test(v),
  "pve-storage-id": (v) => storageId.test(v),
  "pve-configid": (v) => configId.test(v),
  "pve-configid-list": (v) => list(v).every((c) => configId.test(c)),
  "pve-poolid": (v) => /^[a-z0-9_-]+$/i.test(v),
  "dns-name": (v) => v.split(".").every((l) => dnsLabel.test(l)),
  "pve-tag-list": (v) => v.split(/[;, ]+/).every((t) => /^[a-z0-9_][a-z0-9_\-+.]*$/i.test(t)),
  "pve-volume-id": (v) => /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v),
  "pve-storage-content": (v) => CONTENT.includes(v),
  "pve-storage-content-list": (v) => v.split(",").every((c) => CONTENT.includes(c)),
  "lxc-ip-with-ll-iface-list": (v) => list(v).every((a) => /^[0-9a-f.:%]+$/i.test(a)),
};
