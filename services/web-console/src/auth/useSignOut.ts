import { useCallback } from "react";
import { useNavigate } from "react-router";
import { useSession } from "./session";

/** Signs out (here and, through the session channel, in the other tabs), then shows the sign-in page. */
export function useSignOut(): () => Promise<void> {
  const { signOut } = useSession();
  const navigate = useNavigate();
  return useCallback(async () => {
    await signOut();
    navigate("/sign-in", { replace: true });
  }, [signOut, navigate]);
}
