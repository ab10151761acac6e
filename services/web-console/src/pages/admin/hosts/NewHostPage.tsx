import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import { Page } from "../../../components/Page";
import { HostForm } from "./HostForm";
import { type HostFormValues, newHostValues, toCreateBody } from "./host-form";
import { hostKeys } from "./host-queries";

export function NewHostPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [initial] = useState(newHostValues);
  const create = useMutation({
    mutationFn: (values: HostFormValues) =>
      unwrap(api.POST("/api/proxmox/hosts", { body: toCreateBody(values) })),
    onSuccess: async (host) => {
      await queryClient.invalidateQueries({ queryKey: hostKeys.all });
      navigate(`/admin/hosts/${host.id}`, { state: { registered: true } });
    },
  });
  return (
    <Page
      title="Add a host"
      lead="Register a Proxmox host. Credentials go to the secrets service and are never shown again."
    >
      <HostForm
        initial={initial}
        busy={create.isPending}
        error={create.error}
        submitLabel="Add host"
        cancelTo="/admin/hosts"
        onSubmit={(values) => create.mutate(values)}
      />
    </Page>
  );
}
