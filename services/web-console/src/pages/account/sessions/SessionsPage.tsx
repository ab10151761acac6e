import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import type { Session } from "../../../api/types";
import { useSession } from "../../../auth/session";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { DataTable } from "../../../components/DataTable";
import { Page } from "../../../components/Page";
import { ErrorState, InlineError, Loading } from "../../../components/States";
import { formatDateTime } from "../../../lib/format";
import { userAgentInWords } from "../../../lib/user-agent";

/** What the confirmation is about: one session (maybe this one), or every other one. */
type Ending = { readonly kind: "one"; readonly session: Session } | { readonly kind: "others" };

const sessionKeys = { list: ["account", "sessions"] as const };

function confirmation(ending: Ending | null) {
  if (ending?.kind === "others") {
    return {
      title: "End all your other sessions?",
      confirmLabel: "End other sessions",
      text: "Every other browser signed in as you is signed out. This session stays. Your API tokens keep working: revoke them on the API tokens page.",
    };
  }
  if (ending?.session.current) {
    return {
      title: "End this session and sign out?",
      confirmLabel: "End and sign out",
      text: "This is the session you are using: you will be signed out here.",
    };
  }
  return {
    title: "End this session?",
    confirmLabel: "End session",
    text: `The browser at ${ending?.session.client_address ?? "an unknown address"} is signed out at its next request.`,
  };
}

/**
 * The User-Agent string the browser sent, under a disclosure beside its name in words, for whoever
 * needs the exact string (a title alone would reach neither a keyboard nor a phone).
 */
function UserAgentDetails({ userAgent }: { readonly userAgent: string | null }) {
  if (userAgent === null || userAgent.trim() === "" || userAgent.trim() === userAgentInWords(userAgent))
    return null;
  return (
    <details className="user-agent">
      <summary>User agent</summary>
      <code className="break">{userAgent}</code>
    </details>
  );
}

/** Where you are signed in: each browser session, this one marked; end one or all the others. */
export function SessionsPage() {
  const queryClient = useQueryClient();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const sessions = useQuery({
    queryKey: sessionKeys.list,
    queryFn: () => unwrap(api.GET("/api/auth/sessions", { params: { query: { per_page: 100 } } })),
  });
  const [ending, setEnding] = useState<Ending | null>(null);
  const [endedOthers, setEndedOthers] = useState<number | null>(null);
  const end = useMutation({
    mutationFn: async (target: Ending) => {
      if (target.kind === "others") return (await unwrap(api.DELETE("/api/auth/sessions"))).ended;
      await unwrap(api.DELETE("/api/auth/sessions/{id}", { params: { path: { id: target.session.id } } }));
      return null;
    },
    onSuccess: async (ended, target) => {
      // Ending this session signed the browser out (the API cleared its cookies).
      if (target.kind === "one" && target.session.current) {
        await signOut();
        navigate("/sign-in", { replace: true });
        return;
      }
      setEndedOthers(ended);
      setEnding(null);
      await queryClient.invalidateQueries({ queryKey: sessionKeys.list });
    },
  });
  const others = sessions.data?.items.filter((session) => !session.current).length ?? 0;
  const confirm = confirmation(ending);

  return (
    <Page
      title="Sessions"
      lead="The browsers signed in as you. A session ends when left unused (30 minutes by default) and at the latest 12 hours after signing in."
    >
      {sessions.isPending ? <Loading label="Loading your sessions…" /> : null}
      {sessions.isError ? <ErrorState error={sessions.error} retry={() => sessions.refetch()} /> : null}
      {sessions.data ? (
        <>
          <div className="toolbar">
            <button
              type="button"
              className="button"
              disabled={others === 0}
              onClick={() => {
                setEndedOthers(null);
                setEnding({ kind: "others" });
              }}
            >
              End all other sessions
            </button>
          </div>
          <div role="status" aria-live="polite">
            {endedOthers !== null ? (
              <p className="notice">
                {endedOthers === 1
                  ? "1 other session was ended."
                  : `${endedOthers} other sessions were ended.`}
              </p>
            ) : null}
          </div>
          <DataTable
            caption="Your sessions"
            columns={["Browser", "Address", "Signed in", "Last active", "Expires"]}
            actions
          >
            {sessions.data.items.map((session) => (
              <tr key={session.id}>
                <td data-label="Browser">
                  {userAgentInWords(session.user_agent)}
                  {session.current ? <span className="tag">This session</span> : null}
                  <UserAgentDetails userAgent={session.user_agent} />
                </td>
                <td data-label="Address">{session.client_address ?? "Unknown"}</td>
                <td data-label="Signed in">{formatDateTime(session.created_at)}</td>
                <td data-label="Last active">{formatDateTime(session.last_seen_at)}</td>
                <td data-label="Expires">{formatDateTime(session.expires_at)}</td>
                <td>
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setEndedOthers(null);
                      setEnding({ kind: "one", session });
                    }}
                  >
                    {session.current ? "Sign out here" : "End session"}
                    {session.current ? null : (
                      <span className="visually-hidden"> signed in {formatDateTime(session.created_at)}</span>
                    )}
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}
      <ConfirmDialog
        open={ending !== null}
        title={confirm.title}
        confirmLabel={confirm.confirmLabel}
        danger
        busy={end.isPending}
        onConfirm={() => ending && end.mutate(ending)}
        onCancel={() => {
          end.reset();
          setEnding(null);
        }}
      >
        <p>{confirm.text}</p>
        <InlineError error={end.error} />
      </ConfirmDialog>
    </Page>
  );
}
