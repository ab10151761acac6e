import { Link } from "react-router";
import { DataTable } from "../../../components/DataTable";
import { Page } from "../../../components/Page";
import { Empty, ErrorState, Loading } from "../../../components/States";
import { HostHealth } from "./HostHealth";
import { tlsModeLabel } from "./host-labels";
import { HOSTS_PER_PAGE, useHosts } from "./host-queries";

/** Every Proxmox host, how it is reached and whether it answers. */
export function HostsPage() {
  const hosts = useHosts();
  const addHost = (
    <Link className="button button-primary" to="/admin/hosts/new">
      Add host
    </Link>
  );
  return (
    <Page title="Hosts" lead="The Proxmox servers apps run on." actions={addHost}>
      {hosts.isPending ? <Loading label="Loading hosts…" /> : null}
      {hosts.isError ? <ErrorState error={hosts.error} retry={() => hosts.refetch()} /> : null}
      {hosts.data && hosts.data.items.length === 0 ? (
        <Empty title="No hosts yet">
          <p>Add a Proxmox host so Proximity has somewhere to deploy apps.</p>
          {addHost}
        </Empty>
      ) : null}
      {hosts.data && hosts.data.items.length > 0 ? (
        <>
          <DataTable caption="Proxmox hosts" columns={["Name", "Address", "Status", "Nodes", "TLS"]}>
            {hosts.data.items.map((host) => (
              <tr key={host.id}>
                <td data-label="Name">
                  <Link to={`/admin/hosts/${host.id}`}>{host.name}</Link>
                </td>
                <td data-label="Address">
                  {host.address}:{host.port}
                </td>
                <td data-label="Status">
                  <HostHealth host={host} />
                </td>
                <td data-label="Nodes">{host.nodes.length}</td>
                <td data-label="TLS">{tlsModeLabel(host)}</td>
              </tr>
            ))}
          </DataTable>
          {hosts.data.total > hosts.data.items.length ? (
            <p className="muted">
              Showing the first {HOSTS_PER_PAGE} of {hosts.data.total} hosts.
            </p>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
