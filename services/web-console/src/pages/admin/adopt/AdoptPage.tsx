import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import type { App, DiscoveredContainer } from "../../../api/types";
import { DataTable } from "../../../components/DataTable";
import { Page } from "../../../components/Page";
import { Empty, ErrorState, Loading } from "../../../components/States";
import { formatBytes } from "../../../lib/format";
import { HostSelect } from "../HostSelect";
import { HostDownNotice } from "../hosts/HostHealth";
import { useHosts } from "../hosts/host-queries";
import { AdoptForm } from "./AdoptForm";

/** Containers on a host that Proximity does not manage, and adopting one of them as an app. */
export function AdoptPage() {
  const [params, setParams] = useSearchParams();
  const hostId = params.get("host") ?? "";
  const hosts = useHosts();
  const [chosen, setChosen] = useState<DiscoveredContainer | null>(null);
  const [adopted, setAdopted] = useState<App | null>(null);
  const discovered = useQuery({
    queryKey: ["admin", "discover", hostId],
    queryFn: () => unwrap(api.GET("/api/apps/discover", { params: { query: { host_id: hostId } } })),
    enabled: hostId !== "",
  });
  const host = hosts.data?.items.find((item) => item.id === hostId);
  const adoptedLink = useRef<HTMLAnchorElement>(null);

  // The form closes once the adoption starts: focus goes to the way to the new app.
  useEffect(() => {
    if (adopted) adoptedLink.current?.focus();
  }, [adopted]);

  function pickHost(id: string) {
    setChosen(null);
    setAdopted(null);
    setParams(id ? { host: id } : {}, { replace: true });
  }

  return (
    <Page
      title="Discover and adopt"
      lead="Bring containers that already run on a host under Proximity's management."
    >
      <div className="toolbar">
        <HostSelect value={hostId} blankLabel="Choose a host" onChange={pickHost} />
      </div>
      <div role="status" aria-live="polite">
        {adopted ? (
          <p className="notice">
            Adoption started: {adopted.hostname} is being taken under management.{" "}
            <Link ref={adoptedLink} to={`/apps/${adopted.id}`}>
              Open {adopted.hostname}
            </Link>
          </p>
        ) : null}
      </div>
      {host ? <HostDownNotice host={host} /> : null}
      {!hostId ? (
        <p className="muted">Choose a host to list the containers Proximity does not manage yet.</p>
      ) : null}
      {hostId && discovered.isPending ? <Loading label="Looking for containers…" /> : null}
      {discovered.isError ? <ErrorState error={discovered.error} retry={() => discovered.refetch()} /> : null}
      {discovered.data && discovered.data.items.length === 0 ? (
        <Empty title="Nothing to adopt">
          <p>Every container on this host is already managed by Proximity.</p>
        </Empty>
      ) : null}
      {discovered.data && discovered.data.items.length > 0 ? (
        <DataTable
          caption="Containers not managed by Proximity"
          columns={["Name", "VMID", "Node", "Status", "Resources", "Tags"]}
          actions
        >
          {discovered.data.items.map((container) => (
            <tr key={`${container.node}/${container.vmid}`}>
              <td data-label="Name">{container.name}</td>
              <td data-label="VMID">{container.vmid}</td>
              <td data-label="Node">{container.node}</td>
              <td data-label="Status">{container.status}</td>
              <td data-label="Resources">
                {container.cores} cores, {formatBytes(container.max_mem_bytes)} memory,{" "}
                {formatBytes(container.max_disk_bytes)} disk
              </td>
              <td data-label="Tags">{container.tags.length > 0 ? container.tags.join(", ") : "None"}</td>
              <td>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setAdopted(null);
                    setChosen(container);
                  }}
                >
                  Adopt<span className="visually-hidden"> {container.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {chosen ? (
        <AdoptForm
          key={`${chosen.node}/${chosen.vmid}`}
          hostId={hostId}
          container={chosen}
          onCancel={() => setChosen(null)}
          onAdopted={(app) => {
            setChosen(null);
            setAdopted(app);
          }}
        />
      ) : null}
    </Page>
  );
}
