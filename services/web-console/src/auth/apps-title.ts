import { useSignedInUser } from "./session";

/**
 * The name of /apps, the home page: a user's own apps ("My apps"), every user's for an admin
 * ("All apps": an admin's list is not theirs alone).
 */
export function useAppsTitle(): "My apps" | "All apps" {
  return useSignedInUser()?.is_admin ? "All apps" : "My apps";
}
