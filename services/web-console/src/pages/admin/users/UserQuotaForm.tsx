import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { UserQuota } from "../../../api/types";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { InlineError, Loading } from "../../../components/States";
import { userKeys } from "./user-queries";

function QuotaForm({ quota }: { readonly quota: UserQuota }) {
  const queryClient = useQueryClient();
  const [maxApps, setMaxApps] = useState(quota.is_default ? "0" : String(quota.max_apps));
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/users/{id}/quota", {
          params: { path: { id: quota.user_id } },
          body: { max_apps: Number(maxApps.trim()) },
        }),
      ),
    onMutate: () => setSaved(false),
    onSuccess: (updated) => {
      queryClient.setQueryData(userKeys.quota(quota.user_id), updated);
      setSaved(true);
    },
  });
  const error = save.error ? asApiError(save.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <>
      <p>
        Owns <strong>{quota.used}</strong> of at most <strong>{quota.max_apps}</strong> apps
        {quota.is_default ? " (the configured default)" : ""}.
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        <TextField
          label="Maximum apps"
          type="number"
          inputMode="numeric"
          min={0}
          max={10000}
          hint="0 to 10000. 0 returns the user to the configured default. Apps already running are never removed."
          required
          value={maxApps}
          error={error?.fieldMessage("max_apps")}
          onChange={(e) => setMaxApps(e.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button" disabled={!maxApps.trim() || save.isPending}>
            {save.isPending ? "Saving…" : "Save quota"}
          </button>
          <p role="status" className="muted">
            {saved ? "Quota saved." : ""}
          </p>
        </div>
      </form>
    </>
  );
}

/** How many live apps the user may own, and how many they own now. */
export function UserQuotaSection({ userId }: { readonly userId: string }) {
  const quota = useQuery({
    queryKey: userKeys.quota(userId),
    queryFn: () => unwrap(api.GET("/api/users/{id}/quota", { params: { path: { id: userId } } })),
  });
  return (
    <section className="panel" aria-labelledby="user-quota">
      <h2 id="user-quota">App quota</h2>
      {quota.isPending ? <Loading label="Loading the quota…" /> : null}
      <InlineError error={quota.error} />
      {quota.data ? <QuotaForm quota={quota.data} /> : null}
    </section>
  );
}
