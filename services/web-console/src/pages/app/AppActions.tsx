import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { App } from "../../api/types";
import { Button } from "../../components/Button";
import { InlineError } from "../../components/States";
import { actionRefusal, canRun } from "./action-rules";
import { showAppAnswer } from "./app-queries";
import { CloneDialog } from "./CloneDialog";
import { DeleteAppDialog } from "./DeleteAppDialog";
import { UpdateAppDialog } from "./UpdateAppDialog";
import { useActionNote } from "./useActionNote";

type PowerAction = "start" | "stop" | "restart" | "update" | "retry";

const LABEL: Record<PowerAction, string> = {
  start: "Start",
  stop: "Stop",
  restart: "Restart",
  update: "Update",
  retry: "Retry deployment",
};

const REQUESTED: Record<PowerAction, string> = {
  start: "Start requested.",
  stop: "Stop requested.",
  restart: "Restart requested.",
  update: "Update requested.",
  retry: "Deployment retried.",
};

interface AppActionsProps {
  readonly app: App;
  readonly isAdmin: boolean;
}

/** Why some buttons are off, so a disabled button is never a riddle. */
function whyUnavailable(app: App): string | undefined {
  if (app.current_operation) return actionRefusal(app, "stop");
  if (app.adopted) return "This app was adopted: Update and Clone are not available for it.";
  if (app.status === "stopped") return actionRefusal(app, "update");
  return undefined;
}

/**
 * Start, Stop, Restart, Update (and Retry deployment after a failed deploy), Clone and Delete; Update,
 * Clone and Delete first ask, in a dialog that says what they do. Each is enabled only when the app's
 * state allows it; the API's 409 reason shows when it disagrees (until the next action: a reason must
 * not vanish before it is read). After the 202 the new status comes
 * from the event stream and the app's refresh, and "… requested." lasts only until the app moves on.
 */
export function AppActions({ app, isAdmin }: AppActionsProps) {
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<"update" | "clone" | "delete" | null>(null);
  const note = useActionNote(app);

  const action = useMutation({
    mutationFn: (name: PowerAction) =>
      unwrap(api.POST("/api/apps/{id}/action", { params: { path: { id: app.id } }, body: { action: name } })),
    onMutate: () => note.clear(),
    onSuccess: (answer, name) => {
      showAppAnswer(queryClient, answer);
      note.say(REQUESTED[name], answer.current_operation, answer);
    },
  });

  const busy = action.isPending;
  const powerActions: PowerAction[] = ["start", "stop", "restart", "update"];
  if (canRun(app, "retry")) powerActions.push("retry");
  const unavailable = whyUnavailable(app);

  return (
    <section className="app-actions" aria-labelledby="actions-title">
      <h2 id="actions-title" className="visually-hidden">
        Actions
      </h2>
      <div className="actions">
        {powerActions.map((name) => (
          <Button
            key={name}
            className={name === "retry" ? "button button-primary" : "button"}
            unavailable={busy || !canRun(app, name)}
            aria-busy={busy && action.variables === name ? true : undefined}
            onClick={() => (name === "update" ? setDialog("update") : action.mutate(name))}
          >
            {LABEL[name]}
          </Button>
        ))}
        <Button
          className="button"
          unavailable={busy || !canRun(app, "clone")}
          onClick={() => setDialog("clone")}
        >
          Clone
        </Button>
        <Button
          className="button button-danger"
          unavailable={busy || !canRun(app, "delete")}
          onClick={() => setDialog("delete")}
        >
          Delete
        </Button>
      </div>
      {unavailable ? <p className="hint">{unavailable}</p> : null}
      <p className="action-status" role="status">
        {busy ? `Sending ${LABEL[action.variables ?? "start"].toLowerCase()}…` : note.text}
      </p>
      <InlineError error={action.error} />
      <UpdateAppDialog
        app={app}
        open={dialog === "update"}
        onClose={() => setDialog(null)}
        onRequested={(answer) => {
          action.reset(); // an earlier action's refusal is old news now
          note.say(REQUESTED.update, answer.current_operation, answer);
        }}
      />
      <CloneDialog app={app} open={dialog === "clone"} onClose={() => setDialog(null)} />
      <DeleteAppDialog
        app={app}
        open={dialog === "delete"}
        isAdmin={isAdmin}
        onClose={() => setDialog(null)}
        onDeleting={(answer) =>
          note.say(
            answer.backups === "deleted"
              ? "Deletion started: the app's backups are deleted with it."
              : "Deletion started: the app's backups are kept.",
            answer.current_operation,
            answer,
          )
        }
      />
    </section>
  );
}
