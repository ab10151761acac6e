import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { Host } from "../../../api/types";
import { Button } from "../../../components/Button";
import { Page } from "../../../components/Page";
import { ErrorState, InlineError, Loading } from "../../../components/States";
import { formatDateTime } from "../../../lib/format";
import { DeleteButton } from "../DeleteButton";
import { NodesTable } from "../nodes/NodesTable";
import { HostDownNotice, HostHealth } from "./HostHealth";
import { HostNotFound } from "./HostNotFound";
import { type CheckKind, checkOutcome, type PendingCheck } from "./host-check";
import { tlsModeLabel } from "./host-labels";
import { hostKeys, useHost } from "./host-queries";

/** A check that has not answered within this time is said to be late (it may still arrive). */
const CHECK_PATIENCE_MS = 60_000;

function HostDetails({ host }: { readonly host: Host }) {
  return (
    <section className="panel" aria-labelledby="host-details">
      <h2 id="host-details">Details</h2>
      <dl className="details">
        <dt>Status</dt>
        <dd>
          <HostHealth host={host} />
        </dd>
        <dt>Address</dt>
        <dd>
          {host.address}:{host.port}
        </dd>
        <dt>Proxmox VE</dt>
        <dd>{host.pve_version ?? "Not known yet"}</dd>
        <dt>{host.auth_mode === "password" ? "Proxmox user" : "API token ID"}</dt>
        <dd>{host.username}</dd>
        <dt>TLS verification</dt>
        <dd>
          {tlsModeLabel(host)}
          {host.tls_fingerprint ? <span className="break block muted">{host.tls_fingerprint}</span> : null}
          {host.tls_ca_fingerprint ? (
            <span className="break block muted">CA SHA-256 {host.tls_ca_fingerprint}</span>
          ) : null}
        </dd>
        <dt>SSH user</dt>
        <dd>{host.ssh_username ?? "root"}</dd>
        <dt>Backup storage</dt>
        <dd>{host.backup_storage ?? "local"}</dd>
        <dt>Added</dt>
        <dd>{formatDateTime(host.created_at)}</dd>
        <dt>Changed</dt>
        <dd>{formatDateTime(host.updated_at)}</dd>
      </dl>
    </section>
  );
}

function DeleteHost({ host }: { readonly host: Host }) {
  return (
    <DeleteButton
      title={`Delete host ${host.name}?`}
      confirmLabel="Delete host"
      remove={() => unwrap(api.DELETE("/api/proxmox/hosts/{id}", { params: { path: { id: host.id } } }))}
      keys={{ one: hostKeys.one(host.id), all: hostKeys.all }}
      backTo="/admin/hosts"
    >
      <p>
        Proximity forgets this host and deletes its stored API and SSH credentials. Nothing on the Proxmox
        server itself is changed.
      </p>
      <p>
        A host that still has live apps cannot be deleted: delete or move those apps first. Proximity then
        refuses and says how many are left.
      </p>
    </DeleteButton>
  );
}

/** One host: its health, details and nodes; test it, refresh its nodes, edit or delete it. */
export function HostPage() {
  const { hostId = "" } = useParams();
  const location = useLocation();
  const [pending, setPending] = useState<PendingCheck | null>(null);
  const [timedOut, setTimedOut] = useState(false);
  const queryClient = useQueryClient();
  const host = useHost(hostId, (data) =>
    pending && data && checkOutcome(data, pending, timedOut).state === "waiting" ? 2_000 : 30_000,
  );
  const outcome = pending && host.data ? checkOutcome(host.data, pending, timedOut) : null;

  useEffect(() => {
    if (!pending) return;
    setTimedOut(false);
    const timer = setTimeout(() => setTimedOut(true), CHECK_PATIENCE_MS);
    return () => clearTimeout(timer);
  }, [pending]);

  const startCheck = useMutation({
    mutationFn: ({ kind }: { kind: CheckKind; since: string | null }) => {
      const options = { params: { path: { id: hostId } } };
      return unwrap(
        kind === "test"
          ? api.POST("/api/proxmox/hosts/{id}/test", options)
          : api.POST("/api/proxmox/hosts/{id}/sync-nodes", options),
      );
    },
    onMutate: () => setPending(null),
    onSuccess: (_answer, { kind, since }) => {
      setPending({ kind, since });
      // A quick check may have answered already.
      return queryClient.invalidateQueries({ queryKey: hostKeys.one(hostId) });
    },
  });
  const checking = startCheck.isPending || outcome?.state === "waiting";
  const check = (kind: CheckKind) => startCheck.mutate({ kind, since: host.data?.last_checked_at ?? null });

  const actions = host.data ? (
    <>
      <Button className="button" unavailable={checking} onClick={() => check("test")}>
        Test connection
      </Button>
      <Button className="button" unavailable={checking} onClick={() => check("sync")}>
        Sync nodes
      </Button>
      <Link className="button" to={`/admin/hosts/${hostId}/edit`}>
        Edit
      </Link>
      <DeleteHost host={host.data} />
    </>
  ) : null;

  if (host.isError && asApiError(host.error).status === 404) return <HostNotFound hostId={hostId} />;
  return (
    <Page
      title={host.data ? host.data.name : "Host"}
      lead={<Link to="/admin/hosts">All hosts</Link>}
      actions={actions}
    >
      {host.isPending ? <Loading label="Loading the host…" /> : null}
      {host.isError ? <ErrorState error={host.error} retry={() => host.refetch()} /> : null}
      <div
        role="status"
        aria-live="polite"
        className={outcome ? `check-result check-${outcome.state}` : undefined}
      >
        {outcome ? <p>{outcome.message}</p> : null}
      </div>
      <InlineError error={startCheck.error} />
      {host.data ? (
        <>
          {(location.state as { registered?: boolean } | null)?.registered && !outcome ? (
            <p className="notice">Host added. Test the connection to check it now.</p>
          ) : null}
          <HostDownNotice host={host.data} />
          <HostDetails host={host.data} />
          <section aria-labelledby="host-nodes">
            <h2 id="host-nodes">Nodes</h2>
            {host.data.nodes.length === 0 ? (
              <p className="state state-empty">
                This host has no nodes. Edit the host to add them, then sync nodes.
              </p>
            ) : (
              <NodesTable nodes={host.data.nodes} caption={`Nodes of ${host.data.name}`} />
            )}
          </section>
        </>
      ) : null}
    </Page>
  );
}
