import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { type ReactNode, useState } from "react";
import { MemoryRouter, Outlet, Route, Routes, useLocation } from "react-router";
import { RequireSignIn } from "../app/RequireSignIn";
import { SessionProvider } from "../auth/session";

/** react-query without retries, so a failure a test stubs shows at once. */
export function newTestQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
}

/** react-query and the session, as App provides them (the session asks the fake API who is signed in). */
export function TestProviders({ children }: { readonly children: ReactNode }) {
  const [queryClient] = useState(newTestQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>{children}</SessionProvider>
    </QueryClientProvider>
  );
}

/** Shows where the router is, so tests can check navigation and the URL query. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{`${location.pathname}${location.search}`}</output>;
}

/**
 * Renders pages as the console mounts them: `routes` (<Route> elements) behind sign-in, the router
 * at `path`. /sign-in is a stand-in page, so a test can see a sign-out; `getByTestId("location")`
 * shows the current address.
 */
export function renderAt(path: string, routes: ReactNode) {
  return render(
    <TestProviders>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/sign-in" element={<p>Sign-in page</p>} />
          <Route
            element={
              <RequireSignIn>
                <Outlet />
              </RequireSignIn>
            }
          >
            {routes}
          </Route>
        </Routes>
        <LocationProbe />
      </MemoryRouter>
    </TestProviders>,
  );
}
