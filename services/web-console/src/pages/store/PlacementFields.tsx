import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { SelectField } from "../../components/Field";
import { InlineError } from "../../components/States";

const HOSTS_PER_PAGE = 100;

interface PlacementFieldsProps {
  readonly hostId: string;
  readonly node: string;
  readonly hostError?: string | undefined;
  readonly nodeError?: string | undefined;
  onHostChange(hostId: string): void;
  onNodeChange(node: string): void;
}

/**
 * Where to deploy, for admins only (the hosts and nodes routes are admin-only, and so is explicit
 * placement). Left on "Automatic", Proximity picks the host and node.
 */
export function PlacementFields(props: PlacementFieldsProps) {
  const { hostId, node, hostError, nodeError, onHostChange, onNodeChange } = props;
  const hosts = useQuery({
    queryKey: ["proxmox", "hosts", "list"],
    queryFn: () => unwrap(api.GET("/api/proxmox/hosts", { params: { query: { per_page: HOSTS_PER_PAGE } } })),
  });
  const nodes = useQuery({
    queryKey: ["proxmox", "nodes", hostId],
    queryFn: () => unwrap(api.GET("/api/proxmox/nodes", { params: { query: { host_id: hostId } } })),
    enabled: Boolean(hostId),
  });
  const host = hosts.data?.items.find((h) => h.id === hostId);
  const chosenNode = nodes.data?.items.find((n) => n.name === node);
  const hostDown = host && host.status !== "reachable" && host.status !== "online";
  const nodeDown = chosenNode && chosenNode.status !== "online";

  return (
    <fieldset className="placement">
      <legend>Placement (admins)</legend>
      <SelectField
        label="Host"
        value={hostId}
        error={hostError}
        hint={hosts.isPending ? "Loading hosts…" : "Automatic lets Proximity choose a host with room."}
        onChange={(event) => onHostChange(event.target.value)}
      >
        <option value="">Automatic</option>
        {hosts.data?.items.map((h) => (
          <option key={h.id} value={h.id}>
            {h.name} ({h.status})
          </option>
        ))}
      </SelectField>
      {hosts.isError ? <InlineError error={hosts.error} /> : null}
      {hostDown ? (
        <p className="notice notice-warning">
          {host.name} is {host.status}
          {host.last_check_error ? `: ${host.last_check_error}` : ""}. A deployment there may fail.
        </p>
      ) : null}
      {hostId ? (
        <SelectField
          label="Node"
          value={node}
          error={nodeError}
          hint={nodes.isPending ? "Loading nodes…" : "Automatic lets Proximity choose a node of this host."}
          onChange={(event) => onNodeChange(event.target.value)}
        >
          <option value="">Automatic</option>
          {nodes.data?.items.map((n) => (
            <option key={n.name} value={n.name}>
              {n.name} ({n.status})
            </option>
          ))}
        </SelectField>
      ) : null}
      {hostId && nodes.isError ? <InlineError error={nodes.error} /> : null}
      {nodeDown ? (
        <p className="notice notice-warning">
          Node {chosenNode.name} is {chosenNode.status}. A deployment there may fail.
        </p>
      ) : null}
    </fieldset>
  );
}
