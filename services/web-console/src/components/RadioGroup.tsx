import { type ReactNode, useId } from "react";
import { FieldError } from "./Field";

export interface RadioOption<Value extends string> {
  readonly value: Value;
  readonly label: ReactNode;
  /** Said under the option, and read with it (aria-describedby). */
  readonly hint?: ReactNode;
  readonly disabled?: boolean;
}

interface RadioGroupProps<Value extends string> {
  readonly legend: ReactNode;
  readonly name: string;
  readonly value: Value;
  readonly options: readonly RadioOption<Value>[];
  readonly error?: string | undefined;
  onChange(value: Value): void;
}

/** One choice among options: a fieldset named by its legend, each option with its own hint. */
export function RadioGroup<Value extends string>(props: RadioGroupProps<Value>) {
  const { legend, name, value, options, error, onChange } = props;
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset className={error ? "choices field-invalid" : "choices"} aria-describedby={errorId}>
      <legend>{legend}</legend>
      {options.map((option) => {
        const optionId = `${id}-${option.value}`;
        const hintId = option.hint ? `${optionId}-hint` : undefined;
        return (
          <div key={option.value} className="choice">
            <div className="check">
              <input
                id={optionId}
                type="radio"
                name={name}
                value={option.value}
                checked={value === option.value}
                disabled={option.disabled}
                aria-describedby={hintId}
                onChange={() => onChange(option.value)}
              />
              <label htmlFor={optionId}>{option.label}</label>
            </div>
            {option.hint ? (
              <p className="hint check-hint" id={hintId}>
                {option.hint}
              </p>
            ) : null}
          </div>
        );
      })}
      {error ? <FieldError id={errorId}>{error}</FieldError> : null}
    </fieldset>
  );
}
