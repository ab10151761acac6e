import type { Node } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { DataTable } from "../../../components/DataTable";
import { formatBytes, formatDateTime, formatPercent } from "../../../lib/format";
import { hostKeyLabel, nodeStatusOf } from "../hosts/host-labels";

interface NodesTableProps {
  readonly nodes: readonly Node[];
  readonly caption: string;
  /** Host names by id: adds a Host column (the nodes of several hosts). */
  readonly hostNames?: ReadonlyMap<string, string>;
}

/** Nodes with their status and last figures (kept from the last check when the host is down). */
export function NodesTable({ nodes, caption, hostNames }: NodesTableProps) {
  return (
    <DataTable
      caption={caption}
      columns={[
        "Node",
        ...(hostNames ? ["Host"] : []),
        "Status",
        "CPU",
        "Memory",
        "SSH",
        "SSH host key",
        "Updated",
      ]}
    >
      {nodes.map((node) => {
        const status = nodeStatusOf(node.status);
        return (
          <tr key={`${node.host_id}/${node.name}`}>
            <td data-label="Node">{node.name}</td>
            {hostNames ? <td data-label="Host">{hostNames.get(node.host_id) ?? "Unknown host"}</td> : null}
            <td data-label="Status">
              <Badge tone={status.tone}>{status.label}</Badge>
            </td>
            <td data-label="CPU">{formatPercent(node.cpu)}</td>
            <td data-label="Memory">
              {formatBytes(node.mem_bytes)} of {formatBytes(node.max_mem_bytes)}
            </td>
            <td data-label="SSH">
              {node.ssh_host}:{node.ssh_port}
            </td>
            <td data-label="SSH host key" className="break">
              {hostKeyLabel(node)}
            </td>
            <td data-label="Updated">{formatDateTime(node.updated_at)}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
