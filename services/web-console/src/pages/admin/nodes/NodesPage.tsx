import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import { Page } from "../../../components/Page";
import { Empty, ErrorState, Loading } from "../../../components/States";
import { HostSelect } from "../HostSelect";
import { HostDownNotice } from "../hosts/HostHealth";
import { useHosts } from "../hosts/host-queries";
import { NodesTable } from "./NodesTable";

/** The Proxmox nodes of one host or of all, with their status and figures from the last check. */
export function NodesPage() {
  const [params, setParams] = useSearchParams();
  const hostId = params.get("host") ?? "";
  const hosts = useHosts();
  const nodes = useQuery({
    queryKey: ["admin", "nodes", hostId],
    queryFn: () =>
      unwrap(
        api.GET("/api/proxmox/nodes", {
          params: { query: { per_page: 100, ...(hostId ? { host_id: hostId } : {}) } },
        }),
      ),
    refetchInterval: 30_000,
  });
  const hostNames = new Map(hosts.data?.items.map((host) => [host.id, host.name]));
  const selected = hosts.data?.items.find((host) => host.id === hostId);
  const down = hosts.data?.items.filter((host) => host.status === "unreachable") ?? [];
  return (
    <Page title="Nodes" lead="Figures come from the last check of each host.">
      <div className="toolbar">
        <HostSelect
          value={hostId}
          blankLabel="All hosts"
          onChange={(id) => setParams(id ? { host: id } : {}, { replace: true })}
        />
      </div>
      {selected ? <HostDownNotice host={selected} /> : null}
      {!hostId && down.length > 0 ? (
        <p className="notice notice-warning" role="status">
          Not reachable: {down.map((host) => host.name).join(", ")}. Their nodes show the figures of the last
          successful check.
        </p>
      ) : null}
      {nodes.isPending ? <Loading label="Loading nodes…" /> : null}
      {nodes.isError ? <ErrorState error={nodes.error} retry={() => nodes.refetch()} /> : null}
      {nodes.data && nodes.data.items.length === 0 ? (
        <Empty title="No nodes">
          <p>Nodes are registered with their host: add or edit a host to list its nodes, then sync them.</p>
        </Empty>
      ) : null}
      {nodes.data && nodes.data.items.length > 0 ? (
        <>
          <NodesTable nodes={nodes.data.items} caption="Proxmox nodes" hostNames={hostNames} />
          {nodes.data.total > nodes.data.items.length ? (
            <p className="muted">
              Showing {nodes.data.items.length} of {nodes.data.total} nodes: pick a host to see its own.
            </p>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
