import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "react-router";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { Host } from "../../../api/types";
import { Page } from "../../../components/Page";
import { ErrorState, Loading } from "../../../components/States";
import { HostForm } from "./HostForm";
import { HostNotFound } from "./HostNotFound";
import { type HostFormValues, toUpdateBody, valuesFromHost } from "./host-form";
import { hostKeys, useHost } from "./host-queries";

function EditHostForm({ host }: { readonly host: Host }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const update = useMutation({
    mutationFn: (values: HostFormValues) =>
      unwrap(
        api.PUT("/api/proxmox/hosts/{id}", {
          params: { path: { id: host.id } },
          body: toUpdateBody(values, host),
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: hostKeys.all });
      navigate(`/admin/hosts/${host.id}`);
    },
  });
  return (
    <HostForm
      initial={valuesFromHost(host)}
      host={host}
      busy={update.isPending}
      error={update.error}
      submitLabel="Save changes"
      cancelTo={`/admin/hosts/${host.id}`}
      onSubmit={(values) => update.mutate(values)}
    />
  );
}

/** Changes a host. The form starts from the stored settings, fetched once (no refresh under the typing). */
export function EditHostPage() {
  const { hostId = "" } = useParams();
  const host = useHost(hostId, false);
  if (host.isError && asApiError(host.error).status === 404) return <HostNotFound hostId={hostId} />;
  return (
    <Page
      title={host.data ? `Edit ${host.data.name}` : "Edit host"}
      lead="Only what you change is sent. Credentials are never shown: empty fields keep the stored ones."
    >
      {host.isPending ? <Loading label="Loading the host…" /> : null}
      {host.isError ? <ErrorState error={host.error} retry={() => host.refetch()} /> : null}
      {host.data ? <EditHostForm host={host.data} /> : null}
    </Page>
  );
}
