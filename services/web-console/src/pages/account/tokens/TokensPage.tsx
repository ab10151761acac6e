import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../../api/client";
import { unwrap } from "../../../api/errors";
import type { ApiToken, CreatedApiToken } from "../../../api/types";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { DataTable } from "../../../components/DataTable";
import { Page } from "../../../components/Page";
import { ErrorState, InlineError, Loading } from "../../../components/States";
import { formatDateTime } from "../../../lib/format";
import { NewTokenForm } from "./NewTokenForm";
import { TokenReveal } from "./TokenReveal";
import { tokenKeys } from "./token-keys";

function RevokeDialog({ token, onClose }: { readonly token: ApiToken | null; onClose(): void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/auth/tokens/{id}", { params: { path: { id } } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: tokenKeys.list });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      open={token !== null}
      title={token ? `Revoke the token “${token.name}”?` : "Revoke the token?"}
      confirmLabel="Revoke token"
      danger
      busy={revoke.isPending}
      onConfirm={() => token && revoke.mutate(token.id)}
      onCancel={() => {
        revoke.reset();
        onClose();
      }}
    >
      <p>
        Anything using this token stops working at once. Tokens that were created with it are revoked too.
        This cannot be undone.
      </p>
      <InlineError error={revoke.error} />
    </ConfirmDialog>
  );
}

/** Your API tokens for scripts and automation: list, create (shown once), revoke. */
export function TokensPage() {
  const tokens = useQuery({
    queryKey: tokenKeys.list,
    queryFn: () => unwrap(api.GET("/api/auth/tokens", { params: { query: { per_page: 100 } } })),
  });
  // Held by this page only: gone once the person leaves it.
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  return (
    <Page
      title="API tokens"
      lead="Tokens let scripts use the API as you. Send one as “Authorization: Bearer <token>”."
    >
      {created ? <TokenReveal token={created} onDone={() => setCreated(null)} /> : null}
      <section aria-labelledby="token-list">
        <h2 id="token-list">Your tokens</h2>
        {tokens.isPending ? <Loading label="Loading your tokens…" /> : null}
        {tokens.isError ? <ErrorState error={tokens.error} retry={() => tokens.refetch()} /> : null}
        {tokens.data && tokens.data.items.length === 0 ? (
          <p className="state state-empty">
            You have no live API tokens. Create one below when a script needs one.
          </p>
        ) : null}
        {tokens.data && tokens.data.items.length > 0 ? (
          <DataTable
            caption="Your live API tokens"
            columns={["Name", "Scopes", "Created", "Expires", "Last used"]}
            actions
          >
            {tokens.data.items.map((token) => (
              <tr key={token.id}>
                <td data-label="Name">{token.name}</td>
                <td data-label="Scopes">{token.scopes.join(", ")}</td>
                <td data-label="Created">{formatDateTime(token.created_at)}</td>
                <td data-label="Expires">{formatDateTime(token.expires_at)}</td>
                <td data-label="Last used">
                  {token.last_used_at ? formatDateTime(token.last_used_at) : "Never"}
                </td>
                <td>
                  <button type="button" className="button" onClick={() => setRevoking(token)}>
                    Revoke<span className="visually-hidden"> {token.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </section>
      <NewTokenForm onCreated={setCreated} />
      <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />
    </Page>
  );
}
