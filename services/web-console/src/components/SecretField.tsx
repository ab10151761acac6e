import { type ReactNode, useState } from "react";
import { FieldFrame } from "./Field";

interface SecretFieldProps {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly required?: boolean;
  readonly value: string;
  onChange(value: string): void;
}

/**
 * A password-like value: masked by default, never offered to autofill, with a button to check what
 * was typed (its name says which field it shows).
 */
export function SecretField({ label, hint, error, required, value, onChange }: SecretFieldProps) {
  const [shown, setShown] = useState(false);
  return (
    <FieldFrame
      label={label}
      hint={hint}
      error={error}
      required={required}
      tag={<span className="tag">secret</span>}
    >
      {(control) => (
        <div className="secret-input">
          <input
            {...control}
            type={shown ? "text" : "password"}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            value={value}
            onChange={(event) => onChange(event.target.value)}
          />
          <button
            type="button"
            className="button"
            aria-controls={control.id}
            onClick={() => setShown(!shown)}
          >
            {shown ? "Hide" : "Show"}
            <span className="visually-hidden"> {label}</span>
          </button>
        </div>
      )}
    </FieldFrame>
  );
}
