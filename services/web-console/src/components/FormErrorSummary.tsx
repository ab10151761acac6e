import type { ReactNode } from "react";
import { asApiError } from "../api/errors";

interface ErrorSummaryProps {
  /** What happened, or what to do. */
  readonly title: ReactNode;
  /** Each problem (each is also shown at its field, where it has one). */
  readonly items?: readonly string[];
}

/**
 * Above a form: why it was not sent or was refused. Announced at once (role="alert"), and focusable
 * so a refused submit can take the reader to it.
 */
export function ErrorSummary({ title, items = [] }: ErrorSummaryProps) {
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <p>{title}</p>
      {items.length > 0 ? (
        <ul>
          {items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface FormErrorSummaryProps {
  readonly error: unknown;
  /** The label a person sees for an API field name (falls back to the name). */
  readonly labelOf?: (field: string) => string;
}

/** The API's refusal above a form: its message, and each field it refused. */
export function FormErrorSummary({ error, labelOf = (field) => field }: FormErrorSummaryProps) {
  if (!error) return null;
  const apiError = asApiError(error);
  return (
    <ErrorSummary
      title={<strong>{apiError.message}</strong>}
      items={apiError.fieldErrors.map((fieldError) => `${labelOf(fieldError.field)}: ${fieldError.message}`)}
    />
  );
}
