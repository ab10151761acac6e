import { PASSWORD_HINT } from "../lib/password-policy";
import { TextField, type TextFieldProps } from "./Field";

type NewPasswordFieldProps = Omit<TextFieldProps, "type" | "autoComplete" | "hint"> & {
  /** Said after the password rules. */
  readonly note?: string;
};

/** A password being chosen: masked, offered to password managers as new, with the rules as its hint. */
export function NewPasswordField({ note, ...field }: NewPasswordFieldProps) {
  return (
    <TextField
      type="password"
      autoComplete="new-password"
      hint={note ? `${PASSWORD_HINT} ${note}` : PASSWORD_HINT}
      {...field}
    />
  );
}
