/**
 * Parameter declarations shared by many routes (copied from the official schema's formats).
 */
export const NODE = "string";
export const VMID = "integer:100-999999999";
export const OPT_VMID = "integer?:100-999999999";

/** Config keys a container create or update accepts (`POST /nodes/{node}/lxc`, `PUT .../config`). */
export const CONFIG_KEYS = {
  arch: "string?:amd64|i386|arm64|armhf|riscv32|riscv64",
  cmode: "string?:shell|console|tty",
  console: "boolean?",
  cores: "integer?:1-8192",
  cpulimit: "number?:0-8192",
  cpuunits: "integer?:0-500000",
  debug: "boolean?",
  description: "string?",
  "dev[n]": "string?",
  entrypoint: "string?",
  env: "string?",
  features: "string?",
  hookscript: "string?",
  hostname: "string?",
  lock: "string?:backup|create|destroyed|disk|fstrim|migrate|mounted|rollback|snapshot|snapshot-delete",
  memory: "integer?:16",
  "mp[n]": "string?",
  nameserver: "string?",
  "net[n]": "string?",
  onboot: "boolean?",
  ostype: "string?:debian|devuan|ubuntu|centos|fedora|opensuse|archlinux|alpine|gentoo|nixos|unmanaged",
  protection: "boolean?",
  rootfs: "string?",
  searchdomain: "string?",
  startup: "string?",
  swap: "integer?:0",
  tags: "string?",
  template: "boolean?",
  timezone: "string?",
  tty: "integer?:0-6",
  unprivileged: "boolean?",
  "unused[n]": "string?",
} as const;

/** Config keys stored as integers (booleans are stored as 0/1 too). */
export const INTEGER_KEYS = new Set([
  "cores",
  "cpuunits",
  "memory",
  "swap",
  "tty",
  "console",
  "debug",
  "onboot",
  "protection",
  "template",
  "unprivileged",
]);

/** A config value as stored: PVE keeps booleans as 0/1 and integers as numbers. */
export function toInt(value: string): number {
  if (/^(true|yes|on)$/i.test(value)) return 1;
  if (/^(false|no|off)$/i.test(value)) return 0;
  return Number.parseInt(value, 10);
}
