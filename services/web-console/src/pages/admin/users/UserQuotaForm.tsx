import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { UserQuota } from "../../../api/types";
import { Button } from "../../../components/Button";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { RadioGroup } from "../../../components/RadioGroup";
import { InlineError, Loading } from "../../../components/States";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import { appCount, limitEffect, limitSource, limitText } from "./quota-text";
import { userKeys } from "./user-queries";

type LimitChoice = "default" | "own";

/** The API's bounds of a limit of one's own (0 is not one: it means "back to the default"). */
const OWN_LIMIT_MAX = 10_000;

function ownLimitProblem(value: string): string | undefined {
  const text = value.trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > OWN_LIMIT_MAX)
    return `Enter a whole number from 1 to ${OWN_LIMIT_MAX.toLocaleString()}.`;
  return undefined;
}

/**
 * The default limit or one of the user's own, as a choice in words rather than the API's
 * "0 means the default": PUT max_apps 0 for the default, else the number.
 */
function QuotaForm({ quota }: { readonly quota: UserQuota }) {
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<LimitChoice>(quota.is_default ? "default" : "own");
  const [ownLimit, setOwnLimit] = useState(quota.is_default ? "" : String(quota.max_apps));
  const [problem, setProblem] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const { ref, refused } = useRefusalFocus();
  const save = useMutation({
    mutationFn: (maxApps: number) =>
      unwrap(
        api.PUT("/api/users/{id}/quota", {
          params: { path: { id: quota.user_id } },
          body: { max_apps: maxApps },
        }),
      ),
    onMutate: () => setSaved(false),
    onSuccess: (updated) => {
      queryClient.setQueryData(userKeys.quota(quota.user_id), updated);
      setSaved(true);
    },
    onError: refused,
  });
  const error = save.error ? asApiError(save.error) : null;
  const effect = limitEffect(quota);

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = choice === "own" ? ownLimitProblem(ownLimit) : undefined;
    setProblem(found);
    if (found) {
      refused();
      return;
    }
    save.mutate(choice === "own" ? Number(ownLimit.trim()) : 0);
  }

  return (
    <>
      <p>
        Owns <strong>{appCount(quota.used)}</strong>. <strong>{limitText(quota.max_apps)}</strong>:{" "}
        {limitSource(quota)}.{effect ? ` ${effect}` : ""}
      </p>
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        <RadioGroup
          legend="Limit"
          name="limit"
          value={choice}
          options={[
            {
              value: "default",
              label: "The default limit",
              hint: quota.is_default
                ? `${limitText(quota.max_apps)}: the limit configured for every user without their own.`
                : "The limit configured for every user without their own.",
            },
            { value: "own", label: "A limit of their own" },
          ]}
          onChange={(next) => {
            setChoice(next);
            setProblem(undefined);
          }}
        />
        {choice === "own" ? (
          <TextField
            label="Maximum apps"
            type="number"
            inputMode="numeric"
            min={1}
            max={OWN_LIMIT_MAX}
            hint={`1 to ${OWN_LIMIT_MAX.toLocaleString()}. Apps they already own are never removed, even above the limit.`}
            required
            value={ownLimit}
            error={problem ?? error?.fieldMessage("max_apps")}
            onChange={(event) => setOwnLimit(event.target.value)}
          />
        ) : null}
        <div className="actions">
          <Button type="submit" className="button" unavailable={save.isPending}>
            {save.isPending ? "Saving…" : "Save quota"}
          </Button>
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
