import { Page } from "../../../components/Page";
import { NotFound } from "../../../components/States";

/** /admin/hosts/:hostId(/edit) of a host Proximity does not know (404). */
export function HostNotFound({ hostId }: { readonly hostId: string }) {
  return (
    <Page title="Host not found">
      <NotFound title="Deleted, or a wrong address" back={{ to: "/admin/hosts", label: "Go to all hosts" }}>
        <p>
          Proximity has no host with the id <code className="break">{hostId}</code>. It may have been deleted,
          or the link may be incomplete.
        </p>
      </NotFound>
    </Page>
  );
}
