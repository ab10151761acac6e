import { type FormEvent, useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { useSession } from "../../auth/session";
import { TextField } from "../../components/Field";
import { Page } from "../../components/Page";
import { InlineError } from "../../components/States";

const HOME = "/apps";

/**
 * Only a page of this site: `next` must never lead elsewhere (open redirect). Resolved the way the
 * browser would (tabs and backslashes included), kept only when it stays on this origin.
 */
export function safeNextPath(next: string | null, origin: string = window.location.origin): string {
  if (!next?.startsWith("/")) return HOME;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return HOME;
  }
  if (url.origin !== origin || url.pathname.startsWith("/sign-in")) return HOME;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function SignInPage() {
  const { state, signIn } = useSession();
  const [params] = useSearchParams();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState({ username: false, password: false });
  const next = safeNextPath(params.get("next"));

  if (state.status === "signed-in") return <Navigate replace to={next} />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    // Said at the field rather than a button that stays greyed out without saying why.
    const empty = { username: username.trim() === "", password: password === "" };
    setMissing(empty);
    if (empty.username || empty.password) return;
    setBusy(true);
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
          <button className="button button-primary" type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </Page>
    </div>
  );
}
