import { type RefObject, useRef, useState } from "react";
import { asApiError } from "../../api/errors";
import { TextField } from "../../components/Field";
import { HOSTNAME_HINT, hostnameAdvice, takenHostnameMessage } from "../../lib/hostname";

export interface NewHostname {
  readonly hostname: string;
  setHostname(hostname: string): void;
  /** What is wrong, at the field: the rule once a submit was tried, else the API's refusal. */
  readonly error: string | undefined;
  /** A submit was tried: true when the name can be sent, else the field shows why and has focus. */
  check(): boolean;
  /** Back to unchecked, as before the first submit (the name stays). */
  uncheck(): void;
  readonly field: RefObject<HTMLDivElement | null>;
}

/** The host name of an app to be made (a clone, a restore into a new app), checked before sending. */
export function useNewHostname(mutationError: unknown): NewHostname {
  const [hostname, setHostname] = useState("");
  const [submitted, setSubmitted] = useState(false);
  const field = useRef<HTMLDivElement>(null);
  const apiError = mutationError ? asApiError(mutationError) : undefined;
  const error =
    (submitted ? hostnameAdvice(hostname) : undefined) ??
    apiError?.fieldMessage("new_hostname") ??
    takenHostnameMessage(apiError);
  return {
    hostname,
    setHostname,
    error,
    check: () => {
      setSubmitted(true);
      if (!hostnameAdvice(hostname)) return true;
      field.current?.querySelector("input")?.focus();
      return false;
    },
    uncheck: () => setSubmitted(false),
    field,
  };
}

interface NewHostnameFieldProps {
  readonly label: string;
  readonly state: NewHostname;
  /** Called on each change: the API's last refusal was about the name before it. */
  onEdit(): void;
}

export function NewHostnameField({ label, state, onEdit }: NewHostnameFieldProps) {
  return (
    <div ref={state.field}>
      <TextField
        label={label}
        name="new_hostname"
        required
        autoComplete="off"
        spellCheck={false}
        hint={HOSTNAME_HINT}
        error={state.error}
        value={state.hostname}
        onChange={(event) => {
          state.setHostname(event.target.value.trim());
          onEdit();
        }}
      />
    </div>
  );
}
