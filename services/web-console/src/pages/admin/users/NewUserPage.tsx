import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import { Button } from "../../../components/Button";
import { CheckboxField } from "../../../components/CheckboxField";
import { TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { NewPasswordField } from "../../../components/NewPasswordField";
import { Page } from "../../../components/Page";
import { passwordProblem } from "../../../lib/password-policy";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import { usernameProblem } from "../../../lib/username";
import { userKeys } from "./user-queries";

/** Creates an account; the person signs in with the password given here and can change it. */
export function NewUserPage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [isAdmin, setIsAdmin] = useState(false);
  // Checked here first, all at once and in plain words; the API checks again.
  const [problems, setProblems] = useState<{ username?: string; password?: string }>({});
  const { ref, refused } = useRefusalFocus();
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/users", { body: { username: username.trim(), password, is_admin: isAdmin } })),
    onSuccess: async (user) => {
      await queryClient.invalidateQueries({ queryKey: userKeys.all });
      navigate(`/admin/users/${user.id}`);
    },
    onError: refused,
  });
  const error = create.error ? asApiError(create.error) : null;
  // A taken username is a 409 without a field; it still belongs at the username.
  const usernameError =
    problems.username ??
    error?.fieldMessage("username") ??
    (error?.status === 409 ? error.message : undefined);

  function submit(event: FormEvent) {
    event.preventDefault();
    const name = username.trim();
    const found = { username: usernameProblem(name), password: passwordProblem(password, name) };
    setProblems(found);
    if (found.username || found.password) {
      refused();
      return;
    }
    create.mutate();
  }

  return (
    <Page title="Add a user">
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        <TextField
          label="Username"
          hint="Letters, digits, '.', '_' and '-', starting with a letter or digit."
          required
          autoComplete="off"
          spellCheck={false}
          value={username}
          error={usernameError}
          onChange={(e) => setUsername(e.target.value)}
        />
        <NewPasswordField
          label="Password"
          note="Tell the person to change it after signing in."
          required
          value={password}
          error={problems.password ?? error?.fieldMessage("password")}
          onChange={(e) => setPassword(e.target.value)}
        />
        <CheckboxField
          label="Administrator"
          hint="Administrators manage hosts, users and the catalog, and see every app."
          checked={isAdmin}
          error={error?.fieldMessage("is_admin")}
          onChange={(e) => setIsAdmin(e.target.checked)}
        />
        <div className="actions">
          <Button type="submit" className="button button-primary" unavailable={create.isPending}>
            {create.isPending ? "Adding…" : "Add user"}
          </Button>
          <Link className="button" to="/admin/users">
            Cancel
          </Link>
        </div>
      </form>
    </Page>
  );
}
