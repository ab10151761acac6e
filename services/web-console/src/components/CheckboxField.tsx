import type { InputHTMLAttributes, ReactNode } from "react";
import { FieldError, useFieldIds } from "./Field";

type CheckboxFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "type"> & {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
};

/** A checkbox with its label beside it, and its hint and error below, named by aria-describedby. */
export function CheckboxField({ label, hint, error, ...input }: CheckboxFieldProps) {
  const { id, hintId, errorId, describedBy } = useFieldIds(Boolean(hint), Boolean(error));
  return (
    <div className={error ? "field field-invalid" : "field"}>
      <div className="check">
        <input
          id={id}
          type="checkbox"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...input}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint ? (
        <p className="hint check-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? <FieldError id={errorId}>{error}</FieldError> : null}
    </div>
  );
}
