/**
 * What an adopt reports of a container's configuration. Keys that look secret (passwords, keys,
 * tokens…) are left out, and so is Proxmox bookkeeping (digest); values become strings.
 */

const SECRET_LOOKING = /pass|secret|token|key|cred|auth|cookie|ticket|private/i;
const BOOKKEEPING = new Set(["digest", "lock"]);

export function reportableConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_LOOKING.test(key) || BOOKKEEPING.has(key) || value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** Root disk size in GB from `rootfs` (`local-lvm:vm-100-disk-0,size=8G`), 0 when unknown. */
export function diskGb(rootfs: unknown): number {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)/.exec(typeof rootfs === "string" ? rootfs : "");
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = m[2] ?? "";
  const gb =
    unit === "T"
      ? n * 1024
      : unit === "G"
        ? n
        : unit === "M"
          ? n / 1024
          : unit === "K"
            ? n / 1024 / 1024
            : n / 1024 ** 3;
  return Math.round(gb);
}
