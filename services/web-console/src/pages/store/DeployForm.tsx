import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import { asApiError, unwrap } from "../../api/errors";
import type { CatalogItem, EnvVarDefinition } from "../../api/types";
import { useCurrentUser } from "../../auth/session";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorSummary } from "../../components/FormErrorSummary";
import { SecretField } from "../../components/SecretField";
import { HOSTNAME_RULE } from "../../lib/hostname";
import { atField, type DeployProblems, deployProblemsOf } from "./deployErrors";
import {
  type DeployBody,
  type DeployValues,
  deployBody,
  envField,
  type FieldErrors,
  initialValues,
  validateDeploy,
} from "./deployForm";
import { newIdempotencyKey } from "./idempotencyKey";
import { PlacementFields } from "./PlacementFields";

interface Attempt {
  readonly body: DeployBody;
  readonly key: string;
}

/**
 * The deploy form of a catalog app, generated from its definition: a host name, placement for
 * admins, and one field per environment variable. The browser checks what the API checks, so most
 * mistakes show at their field before anything is sent; what the API still refuses shows there too.
 */
export function DeployForm({ item }: { readonly item: CatalogItem }) {
  const isAdmin = useCurrentUser().is_admin;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<DeployValues>(() => initialValues(item));
  const [checked, setChecked] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [problems, setProblems] = useState<DeployProblems | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  // The same body sent again (after a network failure) keeps its key, so it cannot deploy twice.
  const lastAttempt = useRef<{ json: string; key: string } | null>(null);

  const localErrors = checked ? validateDeploy(values, item) : {};
  const errorOf = (field: string) => localErrors[field] ?? serverErrors[field];
  const localCount = Object.keys(localErrors).length;

  const deploy = useMutation({
    mutationFn: ({ body, key }: Attempt) =>
      unwrap(api.POST("/api/apps", { body, params: { header: { "idempotency-key": key } } })),
    onSuccess: (app) => {
      // Lists showing apps are stale now; the new app's page loads it fresh.
      void queryClient.invalidateQueries({ queryKey: ["apps"] });
      navigate(`/apps/${encodeURIComponent(app.id)}`);
    },
    onError: (error) => {
      const fields = new Set(["hostname", ...item.environment.map((v) => envField(v.name))]);
      if (isAdmin) for (const field of ["host_id", "node"]) fields.add(field);
      const found = deployProblemsOf(asApiError(error), fields);
      setServerErrors(found.fieldErrors);
      setProblems(found);
      setFocusRequest((n) => n + 1);
    },
  });

  // After a refused submit, focus goes to the first field to fix, else to the summary.
  useEffect(() => {
    if (focusRequest === 0) return;
    const firstInvalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (firstInvalid ?? form.current?.querySelector<HTMLElement>(".error-summary"))?.focus();
  }, [focusRequest]);

  const change = (field: string, next: Partial<DeployValues>) => {
    setValues((current) => ({ ...current, ...next }));
    setServerErrors((current) => {
      if (!(field in current)) return current;
      const { [field]: _fixed, ...rest } = current;
      return rest;
    });
  };
  const changeEnv = (name: string, value: string) =>
    change(envField(name), { environment: { ...values.environment, [name]: value } });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    setProblems(null);
    if (Object.keys(validateDeploy(values, item)).length > 0) {
      setFocusRequest((n) => n + 1);
      return;
    }
    const body = deployBody(isAdmin ? values : { ...values, hostId: "", node: "" }, item);
    const json = JSON.stringify(body);
    const key = lastAttempt.current?.json === json ? lastAttempt.current.key : newIdempotencyKey();
    lastAttempt.current = { json, key };
    deploy.mutate({ body, key });
  };

  return (
    <section className="panel" aria-labelledby="deploy-heading">
      <h2 id="deploy-heading">Deploy {item.name}</h2>
      <form ref={form} className="form" noValidate onSubmit={submit}>
        {localCount > 0 ? (
          <ErrorSummary title={`${fieldsNeed(localCount)} your attention before deploying.`} />
        ) : problems ? (
          <ErrorSummary title={problems.summary} items={problems.unplaced} />
        ) : null}
        <TextField
          label="Host name"
          name="hostname"
          required
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          hint={HOSTNAME_RULE}
          error={atField("Host name", errorOf("hostname"))}
          value={values.hostname}
          onChange={(event) => change("hostname", { hostname: event.target.value })}
        />
        {isAdmin ? (
          <PlacementFields
            hostId={values.hostId}
            node={values.node}
            hostError={atField("Host", errorOf("host_id"))}
            nodeError={atField("Node", errorOf("node"))}
            onHostChange={(hostId) => change("host_id", { hostId, node: "" })}
            onNodeChange={(node) => change("node", { node })}
          />
        ) : (
          <p className="muted">Proximity places the app on a host with room for it.</p>
        )}
        {item.environment.length > 0 ? (
          <fieldset className="environment">
            <legend>Settings</legend>
            {item.environment.map((definition) => (
              <EnvField
                key={definition.name}
                definition={definition}
                value={values.environment[definition.name] ?? ""}
                error={atField(definition.name, errorOf(envField(definition.name)))}
                onChange={(value) => changeEnv(definition.name, value)}
              />
            ))}
          </fieldset>
        ) : null}
        <div className="actions">
          <Button type="submit" className="button button-primary" unavailable={deploy.isPending}>
            Deploy
          </Button>
          <span role="status" className="muted">
            {deploy.isPending ? `Starting the deployment of ${values.hostname}…` : ""}
          </span>
        </div>
      </form>
    </section>
  );
}

const fieldsNeed = (count: number) => (count === 1 ? "One field needs" : `${count} fields need`);

interface EnvFieldProps {
  readonly definition: EnvVarDefinition;
  readonly value: string;
  readonly error: string | undefined;
  onChange(value: string): void;
}

/** One environment variable of the catalog definition. */
function EnvField({ definition, value, error, onChange }: EnvFieldProps) {
  const defaultNote = definition.default ? ` Left empty, the default ${definition.default} is used.` : "";
  const hint = `${definition.description}${defaultNote}`.trim() || undefined;
  if (definition.secret) {
    return (
      <SecretField
        label={definition.name}
        hint={hint}
        error={error}
        required={definition.required}
        value={value}
        onChange={onChange}
      />
    );
  }
  return (
    <TextField
      label={definition.name}
      name={definition.name}
      autoComplete="off"
      spellCheck={false}
      hint={hint}
      error={error}
      required={definition.required}
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}
