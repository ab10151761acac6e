import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { api, onSessionExpired } from "../api/client";
import { ApiError, unwrap } from "../api/errors";
import type { CurrentUser } from "../api/types";
import { pauseReadsWhileEnded } from "./paused-reads";
import { announceSessionChange, onSessionChangeElsewhere } from "./session-channel";

type SessionState =
  | { readonly status: "loading" }
  | { readonly status: "signed-out" }
  | { readonly status: "signed-in"; readonly user: CurrentUser }
  /**
   * The API stopped accepting this person's session (expired, ended elsewhere) while pages were
   * open: they stay as they are, under a sign-in dialog, until someone signs in again.
   */
  | { readonly status: "ended"; readonly user: CurrentUser }
  /** Proximity could not say who is signed in (network, 5xx): not the same as signed out. */
  | { readonly status: "unavailable"; readonly error: unknown };

/** Who the open pages belong to: the signed-in person, also while their session is renewed. */
export function sessionUser(state: SessionState): CurrentUser | undefined {
  return state.status === "signed-in" || state.status === "ended" ? state.user : undefined;
}

interface Session {
  readonly state: SessionState;
  /** Signs in; resolves to the user, who may differ from the one whose session ended. */
  signIn(username: string, password: string): Promise<CurrentUser>;
  signOut(): Promise<void>;
  /** Asks the API again who is signed in (after "unavailable"). */
  recheck(): void;
}

const SessionContext = createContext<Session | null>(null);

/**
 * Who is signed in, from the session cookie: GET /api/auth/me at start, and again whenever the tab
 * comes into view or gets the focus and when another tab announces a sign-in or sign-out (they
 * share the cookie; a tab must not go on showing the pages of someone no longer signed in). An API
 * answer of 401 while signed in ends the session ("ended"): the pages stay, hidden, with what was
 * typed in them, and every read waits until the person signs in again in the dialog over them (or
 * in another tab). Someone else signing in starts afresh: nothing of the first person's is kept.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const [checks, setChecks] = useState(0);
  // The state as last set, for callbacks that must know it at once (before React re-renders):
  // written only where the state is set (effects, events), never during render.
  const stateRef = useRef(state);
  const update = useCallback((next: SessionState) => {
    stateRef.current = next;
    setState(next);
  }, []);

  useEffect(() => {
    let active = true;
    unwrap(api.GET("/api/auth/me")).then(
      (user) => active && update({ status: "signed-in", user }),
      (error: unknown) =>
        active &&
        update(
          error instanceof ApiError && error.status === 401
            ? { status: "signed-out" }
            : { status: "unavailable", error },
        ),
    );
    const stop = onSessionExpired(() => {
      const current = stateRef.current;
      if (current.status === "signed-in") update({ status: "ended", user: current.user });
    });
    return () => {
      active = false;
      stop();
    };
  }, [checks, update]);

  // Reads made while the session is ended would only be refused: they wait, keeping their data.
  const ended = state.status === "ended";
  useEffect(() => pauseReadsWhileEnded(ended), [ended]);
  useEffect(() => () => pauseReadsWhileEnded(false), []);

  /** Someone (this person or another) is now signed in, as the API says: the pages follow. */
  const becomeSignedIn = useCallback(
    (user: CurrentUser) => {
      const before = stateRef.current;
      if (sessionUser(before)?.id === user.id) {
        // The same person: the open pages carry on, and read afresh once reads resume.
        if (before.status === "ended") void queryClient.invalidateQueries();
      } else {
        queryClient.clear();
      }
      update({ status: "signed-in", user });
    },
    [queryClient, update],
  );

  const becomeSignedOut = useCallback(() => {
    queryClient.clear();
    update({ status: "signed-out" });
  }, [queryClient, update]);

  // Another tab may have signed in (again, as this person or someone else) or out: asked when this
  // tab comes into view or gets the focus, and when another tab announces a change. A signed-out
  // tab (its sign-in page open) listens too, so it moves on once a sign-in elsewhere made the
  // session it was waiting for.
  const signedInAs = sessionUser(state)?.id;
  const listening = signedInAs !== undefined || state.status === "signed-out";
  useEffect(() => {
    if (!listening) return undefined;
    const whoIsSignedIn = () => {
      if (document.visibilityState !== "visible") return;
      // A 401 ends the session through onSessionExpired (a signed-out tab stays signed out);
      // other failures leave things as they are.
      unwrap(api.GET("/api/auth/me")).then(becomeSignedIn, () => undefined);
    };
    const stopListening = onSessionChangeElsewhere((change) => {
      if (change === "signed-out") {
        if (stateRef.current.status !== "signed-out") becomeSignedOut();
      } else whoIsSignedIn();
    });
    document.addEventListener("visibilitychange", whoIsSignedIn);
    window.addEventListener("focus", whoIsSignedIn);
    return () => {
      stopListening();
      document.removeEventListener("visibilitychange", whoIsSignedIn);
      window.removeEventListener("focus", whoIsSignedIn);
    };
  }, [listening, becomeSignedIn, becomeSignedOut]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await unwrap(api.POST("/api/auth/login", { body: { username, password } }));
      becomeSignedIn(answer.user);
      announceSessionChange("signed-in");
      return answer.user;
    },
    [becomeSignedIn],
  );

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.POST("/api/auth/logout"));
    } catch (error) {
      // Already ended (401) is what signing out wanted; anything else is still shown as signed out.
      if (!(error instanceof ApiError)) throw error;
    } finally {
      becomeSignedOut();
      announceSessionChange("signed-out");
    }
  }, [becomeSignedOut]);

  const recheck = useCallback(() => {
    update({ status: "loading" });
    setChecks((n) => n + 1);
  }, [update]);

  const value = useMemo(() => ({ state, signIn, signOut, recheck }), [state, signIn, signOut, recheck]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in user if any (also while their session is renewed); undefined outside a session. */
export function useSignedInUser(): CurrentUser | undefined {
  const session = useContext(SessionContext);
  return session ? sessionUser(session.state) : undefined;
}

/** The signed-in user, also while their session is being renewed (only under RequireSignIn). */
export function useCurrentUser(): CurrentUser {
  const { state } = useSession();
  const user = sessionUser(state);
  if (!user) throw new Error("useCurrentUser without a signed-in user");
  return user;
}
