import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { api } from "../../api/client";
import { asApiError, unwrap } from "../../api/errors";
import type { BackupMode, BackupPolicy, Compression } from "../../api/types";
import { Button } from "../../components/Button";
import { CheckboxField } from "../../components/CheckboxField";
import { SelectField, TextField } from "../../components/Field";
import { ErrorSummary } from "../../components/FormErrorSummary";
import { ErrorState, InlineError, Loading } from "../../components/States";
import { formatDateTime, formatDateTimeIn } from "../../lib/format";
import { useRefusalFocus } from "../../lib/useRefusalFocus";
import { appKeys } from "./app-queries";
import { COMPRESSION_OPTIONS, MODE_OPTIONS } from "./backup-options";
import {
  bodyOf,
  draftOf,
  KEEP_FIELDS,
  type PolicyDraft,
  type PolicyErrors,
  type PolicyField,
  validatePolicy,
} from "./backup-policy";

const FIELD_LABEL: Record<PolicyField, string> = {
  enabled: "Back up on this schedule",
  schedule: "Schedule",
  time_zone: "Time zone",
  mode: "Mode",
  compression: "Compression",
  keep_last: "Keep last",
  keep_hourly: "Keep hourly",
  keep_daily: "Keep daily",
  keep_weekly: "Keep weekly",
  keep_monthly: "Keep monthly",
  keep_yearly: "Keep yearly",
};

/** IANA time zones the browser knows, offered as suggestions (the service has the last word). */
function knownTimeZones(): string[] {
  try {
    return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  } catch {
    return [];
  }
}

interface PolicyFormProps {
  readonly appId: string;
  readonly policy: BackupPolicy;
}

function PolicyForm({ appId, policy }: PolicyFormProps) {
  const queryClient = useQueryClient();
  const zonesId = useId();
  const { ref: form, refused } = useRefusalFocus();
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(policy));
  const [checked, setChecked] = useState(false);
  const [saved, setSaved] = useState(false);
  const [zones] = useState(knownTimeZones);

  const save = useMutation({
    mutationFn: (next: PolicyDraft) =>
      unwrap(
        api.PUT("/api/apps/{id}/backup-policy", { params: { path: { id: appId } }, body: bodyOf(next) }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(appKeys.policy(appId), answer);
      setDraft(draftOf(answer));
      setChecked(false);
      setSaved(true);
    },
    onError: refused,
  });

  const localErrors: PolicyErrors = checked ? validatePolicy(draft) : {};
  const apiError = save.error ? asApiError(save.error) : undefined;
  const errorOf = (name: PolicyField) => localErrors[name] ?? apiError?.fieldMessage(name);
  const invalid = (Object.keys(FIELD_LABEL) as PolicyField[]).filter((name) => errorOf(name));

  const change = <Name extends PolicyField>(name: Name, value: PolicyDraft[Name]) => {
    setDraft((current) => ({ ...current, [name]: value }));
    setSaved(false);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    setSaved(false);
    save.reset();
    if (Object.keys(validatePolicy(draft)).length > 0) {
      refused();
      return;
    }
    save.mutate(draft);
  };

  return (
    <form ref={form} className="form" noValidate onSubmit={submit}>
      <p className="hint">
        {policy.enabled
          ? `Next scheduled backup: ${formatDateTimeIn(policy.next_run_at, policy.time_zone)}. Last run: ${formatDateTime(policy.last_run_at)}.`
          : "The schedule is off: no backups run on their own."}
      </p>
      <CheckboxField
        label={FIELD_LABEL.enabled}
        checked={draft.enabled}
        onChange={(event) => change("enabled", event.target.checked)}
      />
      <TextField
        label={FIELD_LABEL.schedule}
        name="schedule"
        autoComplete="off"
        spellCheck={false}
        hint="Five fields: minute, hour, day of month, month, day of week, in the time zone below. 0 3 * * * is every day at 03:00. Backups may run at most every 15 minutes."
        error={errorOf("schedule")}
        value={draft.schedule}
        onChange={(event) => change("schedule", event.target.value)}
      />
      <TextField
        label={FIELD_LABEL.time_zone}
        name="time_zone"
        autoComplete="off"
        list={zones.length > 0 ? zonesId : undefined}
        hint="An IANA time zone such as UTC or Europe/Berlin."
        error={errorOf("time_zone")}
        value={draft.time_zone}
        onChange={(event) => change("time_zone", event.target.value)}
      />
      {zones.length > 0 ? (
        <datalist id={zonesId}>
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      ) : null}
      <SelectField
        label={FIELD_LABEL.mode}
        name="mode"
        error={errorOf("mode")}
        value={draft.mode}
        onChange={(event) => change("mode", event.target.value as BackupMode)}
      >
        {MODE_OPTIONS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </SelectField>
      <SelectField
        label={FIELD_LABEL.compression}
        name="compression"
        error={errorOf("compression")}
        value={draft.compression}
        onChange={(event) => change("compression", event.target.value as Compression)}
      >
        {COMPRESSION_OPTIONS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </SelectField>
      <fieldset className="retention">
        <legend>Retention of scheduled backups</legend>
        <p className="hint">
          After each scheduled backup, older scheduled ones are pruned: each rule keeps the newest backup of
          its period, 0 turns a rule off, and all 0 keeps every backup. Backups you start yourself are never
          pruned.
        </p>
        <div className="retention-grid">
          {KEEP_FIELDS.map((field) => (
            <TextField
              key={field.name}
              label={field.label}
              hint={field.hint}
              name={field.name}
              inputMode="numeric"
              autoComplete="off"
              error={errorOf(field.name)}
              value={draft[field.name]}
              onChange={(event) => change(field.name, event.target.value)}
            />
          ))}
        </div>
      </fieldset>
      {invalid.length > 0 ? (
        <ErrorSummary
          title={`Please correct ${invalid.length === 1 ? "this field" : "these fields"}:`}
          items={invalid.map((name) => `${FIELD_LABEL[name]}: ${errorOf(name)}`)}
        />
      ) : apiError ? (
        <InlineError error={save.error} />
      ) : null}
      <div className="actions">
        <Button type="submit" className="button button-primary" unavailable={save.isPending}>
          {save.isPending ? "Saving…" : "Save schedule"}
        </Button>
        <p className="action-status" role="status">
          {saved ? "Schedule saved." : ""}
        </p>
      </div>
    </form>
  );
}

/** GET|PUT /api/apps/{id}/backup-policy: when backups run on their own and how many are kept. */
export function BackupPolicySection({ appId }: { readonly appId: string }) {
  const policy = useQuery({
    queryKey: appKeys.policy(appId),
    queryFn: () => unwrap(api.GET("/api/apps/{id}/backup-policy", { params: { path: { id: appId } } })),
  });
  return (
    <section className="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">Schedule and retention</h2>
      {policy.isPending ? (
        <Loading label="Loading the backup schedule…" />
      ) : policy.isError ? (
        <ErrorState error={policy.error} retry={() => void policy.refetch()} />
      ) : (
        <PolicyForm appId={appId} policy={policy.data} />
      )}
    </section>
  );
}
