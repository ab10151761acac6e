/**
 * Turning create/restore parameters into CT config: the config keys given, and the root volume a
 * `rootfs`/`storage` spec allocates.
 */
import type { ConfigValue } from "../../state/container.js";
import type { Params } from "../params.js";
import { CONFIG_KEYS, INTEGER_KEYS, toInt } from "./common.js";

/** The config keys given in the request (without rootfs), as PVE stores them. */
export function givenConfig(params: Params): Record<string, ConfigValue> {
  const config: Record<string, ConfigValue> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!isConfigKey(key)) continue;
    config[key] = INTEGER_KEYS.has(key) ? toInt(value) : value;
  }
  return config;
}

function isConfigKey(key: string): boolean {
  if (key === "lock" || key === "rootfs") return false;
  return key in CONFIG_KEYS || /^(net|mp|dev|unused)\d+$/.test(key);
}

/** `local-lvm:8` allocates `local-lvm:vm-<id>-disk-0,size=8G`; an existing volume is kept. */
export function rootfsVolume(spec: string, vmid: number): string {
  const m = /^([^:,]+):(\d+(?:\.\d+)?)(,.*)?$/.exec(spec);
  if (!m) return spec;
  return `${m[1]}:vm-${vmid}-disk-0,size=${m[2]}G${m[3] ?? ""}`;
}
