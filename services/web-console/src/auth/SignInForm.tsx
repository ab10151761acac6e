import { type FormEvent, useState } from "react";
import { Button } from "../components/Button";
import { TextField } from "../components/Field";
import { InlineError } from "../components/States";
import { useRefusalFocus } from "../lib/useRefusalFocus";
import { useSession } from "./session";

interface SignInFormProps {
  /** Filled in already (the person whose session ended), still editable. */
  readonly username?: string;
}

/** Username and password, checked at the fields before the API is asked; the API's refusal below. */
export function SignInForm({ username: knownUsername = "" }: SignInFormProps) {
  const { signIn } = useSession();
  const [username, setUsername] = useState(knownUsername);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState({ username: false, password: false });
  const { ref, refused } = useRefusalFocus();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    // Said at the field rather than a button that stays greyed out without saying why.
    const empty = { username: username.trim() === "", password: password === "" };
    setMissing(empty);
    if (empty.username || empty.password) {
      refused();
      return;
    }
    setBusy(true);
    try {
      await signIn(username, password);
    } catch (caught) {
      setError(caught);
      setBusy(false);
      refused();
    }
  }

  return (
    <form ref={ref} className="form" onSubmit={submit} noValidate>
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        // The gateway finds accounts by lower-cased username: "Ada" signs in as "ada".
        hint="Not case-sensitive."
        required
        value={username}
        error={missing.username ? "Enter your username." : undefined}
        onChange={(e) => setUsername(e.target.value)}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        error={missing.password ? "Enter your password." : undefined}
        onChange={(e) => setPassword(e.target.value)}
      />
      <InlineError error={error} />
      <Button className="button button-primary" type="submit" unavailable={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
