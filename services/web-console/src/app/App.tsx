import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { RouterProvider } from "react-router";
import { ApiError } from "../api/errors";
import { SessionProvider } from "../auth/session";
import { createRouter } from "./routes";

/** Reads are retried once on a network or server failure, never on a 4xx (it would not change). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) =>
          count < 1 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: true,
        staleTime: 5_000,
      },
      // A mutation's variables hold what was typed (secrets, passwords, credentials): dropped as
      // soon as no screen shows the mutation, not kept for the default five minutes.
      mutations: { gcTime: 0 },
    },
  });
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(createRouter);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  );
}
