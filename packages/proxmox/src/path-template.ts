/**
 * The route of a Proxmox API path, for span names and attributes: the values after the collection
 * segments that take one (`/nodes/pve1/lxc/101/status/start` → `/nodes/{node}/lxc/{vmid}/status/start`),
 * so that spans group by endpoint and never carry a volume or task id.
 */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  nodes: "{node}",
  lxc: "{vmid}",
  qemu: "{vmid}",
  tasks: "{upid}",
  storage: "{storage}",
  content: "{volume}",
  snapshot: "{snapname}",
};

/** `path` (relative to /api2/json, encoded) with its values replaced by placeholders. */
export function pathTemplate(path: string): string {
  const segments = path.split("?")[0]!.split("/");
  return segments
    .map((segment, i) => {
      const placeholder = i > 0 ? PLACEHOLDERS[segments[i - 1]!] : undefined;
      return placeholder && segment !== "" ? placeholder : segment;
    })
    .join("/");
}
