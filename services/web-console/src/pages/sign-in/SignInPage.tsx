import { type FormEvent, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { useSession } from "../../auth/session";
import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { InlineError } from "../../components/States";

/** Only a path of this site: `next` must never lead elsewhere (open redirect). */
export function safeNextPath(next: string | null): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/apps";
  if (next.startsWith("/sign-in")) return "/apps";
  return next;
}

export function SignInPage() {
  const { state, signIn } = useSession();
  const [params] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNextPath(params.get("next"));

  if (state.status === "signed-in") return <Navigate replace to={next} />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <div className="sign-in">
      <Page title="Sign in to Proximity">
        {params.get("expired") ? (
          <p className="notice" role="status">
            Your session has ended. Sign in again to continue where you were.
          </p>
        ) : null}
        <form className="form" onSubmit={submit} noValidate>
          <TextField
            label="Username"
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <InlineError error={error} />
          <button className="button button-primary" type="submit" disabled={busy || !username || !password}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </Page>
    </div>
  );
}
