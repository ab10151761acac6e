import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { api, onSessionExpired } from "../api/client";
import { ApiError, unwrap } from "../api/errors";
import type { CurrentUser } from "../api/types";

type SessionState =
  | { readonly status: "loading" }
  | { readonly status: "signed-out"; readonly expired: boolean }
  | { readonly status: "signed-in"; readonly user: CurrentUser }
  /** Proximity could not say who is signed in (network, 5xx): not the same as signed out. */
  | { readonly status: "unavailable"; readonly error: unknown };

interface Session {
  readonly state: SessionState;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Asks the API again who is signed in (after "unavailable"). */
  recheck(): void;
}

const SessionContext = createContext<Session | null>(null);

/**
 * Who is signed in, from the session cookie (GET /api/auth/me at start, and again whenever the
 * tab comes back into view: another tab may have signed out or in as someone else, and this one
 * must not go on showing the first person's pages). Any API answer of 401 ends the session here,
 * so the router sends the person back to sign-in and then to where they were.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const [checks, setChecks] = useState(0);

  useEffect(() => {
    let active = true;
    unwrap(api.GET("/api/auth/me")).then(
      (user) => active && setState({ status: "signed-in", user }),
      (error: unknown) =>
        active &&
        setState(
          error instanceof ApiError && error.status === 401
            ? { status: "signed-out", expired: false }
            : { status: "unavailable", error },
        ),
    );
    const stop = onSessionExpired(() => {
      queryClient.clear();
      setState((current) =>
        current.status === "signed-in" ? { status: "signed-out", expired: true } : current,
      );
    });
    return () => {
      active = false;
      stop();
    };
  }, [queryClient, checks]);

  const signedInAs = state.status === "signed-in" ? state.user.id : null;
  useEffect(() => {
    if (!signedInAs) return undefined;
    const whoIsSignedIn = () => {
      if (document.visibilityState !== "visible") return;
      // A 401 ends the session through onSessionExpired; other failures leave things as they are.
      unwrap(api.GET("/api/auth/me")).then(
        (user) => {
          if (user.id === signedInAs) return;
          queryClient.clear();
          setState({ status: "signed-in", user });
        },
        () => undefined,
      );
    };
    document.addEventListener("visibilitychange", whoIsSignedIn);
    return () => document.removeEventListener("visibilitychange", whoIsSignedIn);
  }, [signedInAs, queryClient]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await unwrap(api.POST("/api/auth/login", { body: { username, password } }));
      queryClient.clear();
      setState({ status: "signed-in", user: answer.user });
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.POST("/api/auth/logout"));
    } catch (error) {
      // Already ended (401) is what signing out wanted; anything else is still shown as signed out.
      if (!(error instanceof ApiError)) throw error;
    } finally {
      queryClient.clear();
      setState({ status: "signed-out", expired: false });
    }
  }, [queryClient]);

  const recheck = useCallback(() => {
    setState({ status: "loading" });
    setChecks((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, recheck }), [state, signIn, signOut, recheck]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in user (only under RequireSignIn). */
export function useCurrentUser(): CurrentUser {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useCurrentUser without a signed-in user");
  return state.user;
}
