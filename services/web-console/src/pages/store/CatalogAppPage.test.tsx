import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, useParams } from "react-router";
import { describe, expect, it } from "vitest";
import { type FakeAnswer, fakeApi, requestsTo, type SeenRequest } from "../../test/fake-api";
import { makeAdmin, makeCatalogItem, makeUser } from "../../test/fixtures";
import { renderAt } from "../../test/render";
import { CatalogAppPage } from "./CatalogAppPage";

const HOST_ID = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";

function NewAppPage() {
  return <h1>App {useParams().appId}</h1>;
}

type DeployAnswer = (body: unknown) => FakeAnswer;

function fakeStore(deployAnswer: DeployAnswer, user = makeUser()) {
  return fakeApi(
    {
      "GET /api/catalog/wiki": { body: makeCatalogItem() },
      "POST /api/apps": (request) => deployAnswer(request.body),
      "GET /api/proxmox/hosts": {
        body: {
          items: [{ id: HOST_ID, name: "pve-main", status: "reachable", last_check_error: null, nodes: [] }],
          total: 1,
          page: 1,
          per_page: 100,
        },
      },
      "GET /api/proxmox/nodes": (request) =>
        request.search.get("host_id") === HOST_ID
          ? {
              body: {
                items: [{ host_id: HOST_ID, name: "pve1", status: "online" }],
                total: 1,
                page: 1,
                per_page: 20,
              },
            }
          : undefined,
    },
    { user },
  );
}

const accepted = (body: unknown) => ({
  status: 202,
  body: { ...(body as object), id: "new-app-id", status: "deploying" },
});
const deploys = (seen: readonly SeenRequest[]) => requestsTo(seen, "POST", "/api/apps");

function renderCatalogApp() {
  return renderAt(
    "/store/wiki",
    <>
      <Route path="/store/:catalogId" element={<CatalogAppPage />} />
      <Route path="/apps/:appId" element={<NewAppPage />} />
    </>,
  );
}

/** Fills what the example app requires, so a submit reaches the API. */
async function fillRequired(hostname = "team-wiki") {
  await userEvent.type(await screen.findByLabelText("Host name", { exact: false }), hostname);
  await userEvent.type(screen.getByLabelText("ADMIN_EMAIL", { exact: false }), "ops@example.org");
  await userEvent.type(screen.getByLabelText("DB_PASSWORD", { exact: false }), "s3cret");
}

describe("CatalogAppPage", () => {
  it("leads back to the store from an app the catalog does not have", async () => {
    fakeApi({ "GET /api/catalog/nope": { status: 404, body: { detail: "Catalog app not found" } } });
    renderAt("/store/nope", <Route path="/store/:catalogId" element={<CatalogAppPage />} />);
    expect(await screen.findByText("Catalog app not found")).toBeInTheDocument();
    const links = screen.getAllByRole("link", { name: "Back to the store" });
    expect(links).toHaveLength(1);
    expect(links[0]).toHaveAttribute("href", "/store");
    expect(screen.queryByRole("link", { name: /^Go to/ })).not.toBeInTheDocument();
  });

  it("shows what the app is and needs", async () => {
    fakeStore(accepted);
    renderCatalogApp();
    expect(await screen.findByRole("heading", { level: 1, name: "Wiki" })).toBeInTheDocument();
    expect(screen.getByText("A wiki for your team.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /wiki\.example/ })).toHaveAttribute("rel", "noopener noreferrer");
    expect(screen.getByText("1 GiB")).toBeInTheDocument();
    expect(screen.getByText("8 GiB")).toBeInTheDocument();
    expect(screen.getByText("8080")).toBeInTheDocument();
  });

  it("prefills defaults, marks required variables and masks secrets", async () => {
    fakeStore(accepted);
    renderCatalogApp();
    expect(await screen.findByLabelText("TZ")).toHaveValue("UTC");
    expect(screen.getByLabelText("ADMIN_EMAIL (required)")).toHaveValue("");
    const secret = screen.getByLabelText(/^DB_PASSWORD/);
    expect(secret).toHaveAttribute("type", "password");
    expect(secret).toHaveAttribute("autocomplete", "off");

    await userEvent.click(screen.getByRole("button", { name: "Show DB_PASSWORD" }));
    expect(secret).toHaveAttribute("type", "text");
    await userEvent.click(screen.getByRole("button", { name: "Hide DB_PASSWORD" }));
    expect(secret).toHaveAttribute("type", "password");
  });

  it("does not send a form missing a required value, and says so at the field", async () => {
    const seen = fakeStore(accepted);
    renderCatalogApp();
    await userEvent.type(await screen.findByLabelText("Host name", { exact: false }), "team-wiki");
    await userEvent.type(screen.getByLabelText("DB_PASSWORD", { exact: false }), "s3cret");

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    const email = screen.getByLabelText("ADMIN_EMAIL (required)");
    expect(email).toHaveAccessibleDescription(expect.stringContaining("ADMIN_EMAIL is required"));
    expect(email).toHaveFocus();
    expect(screen.getByRole("alert")).toHaveTextContent("One field needs your attention");
    expect(deploys(seen)).toHaveLength(0);
  });

  it("checks the hostname as the API does, with the rule as a hint", async () => {
    const seen = fakeStore(accepted);
    renderCatalogApp();
    await fillRequired("Team_Wiki");
    const hostname = screen.getByLabelText("Host name", { exact: false });
    expect(hostname).toHaveAccessibleDescription(expect.stringContaining("Lower-case letters"));

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    expect(hostname).toHaveAccessibleDescription(expect.stringContaining("Use lower-case letters only."));
    expect(deploys(seen)).toHaveLength(0);
  });

  it("deploys with the values given and opens the new app's page", async () => {
    const seen = fakeStore(accepted);
    renderCatalogApp();
    await fillRequired();

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    expect(await screen.findByRole("heading", { name: "App new-app-id" })).toBeInTheDocument();
    const [request] = deploys(seen);
    expect(request?.body).toEqual({
      catalog_id: "wiki",
      hostname: "team-wiki",
      environment: { TZ: "UTC", ADMIN_EMAIL: "ops@example.org", DB_PASSWORD: "s3cret" },
    });
    expect(request?.headers.get("idempotency-key")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("shows the API's field errors at their fields", async () => {
    fakeStore(() => ({
      status: 400,
      body: {
        detail: "Invalid request",
        errors: [
          { field: "environment.TZ", message: "must not contain a NUL byte" },
          { field: "quota", message: "is used up" },
        ],
      },
    }));
    renderCatalogApp();
    await fillRequired();

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    await waitFor(() =>
      expect(screen.getByLabelText("TZ")).toHaveAccessibleDescription(
        expect.stringContaining("TZ must not contain a NUL byte"),
      ),
    );
    const summary = screen.getByRole("alert");
    expect(summary).toHaveTextContent("correct the fields marked below");
    expect(summary).toHaveTextContent("quota: is used up");
  });

  it("shows a taken hostname (409) at the hostname field", async () => {
    fakeStore(() => ({ status: 409, body: { detail: "Hostname team-wiki is already in use" } }));
    renderCatalogApp();
    await fillRequired();

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    const hostname = screen.getByLabelText("Host name", { exact: false });
    await waitFor(() =>
      expect(hostname).toHaveAccessibleDescription(
        expect.stringContaining("Host name team-wiki is already in use"),
      ),
    );
    expect(hostname).toHaveFocus();

    // Changing the name clears the API's message: it was about the old name.
    await userEvent.type(hostname, "-2");
    expect(hostname).not.toHaveAccessibleDescription(expect.stringContaining("already in use"));
  });

  it("says when the service is busy (429) and how long to wait", async () => {
    fakeStore(() => ({
      status: 429,
      body: { detail: "Too many requests" },
      headers: { "retry-after": "30" },
    }));
    renderCatalogApp();
    await fillRequired();

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Too many requests. Try again in 30 seconds.");
  });

  it("lets an admin choose the host and node", async () => {
    const seen = fakeStore(accepted, makeAdmin());
    renderCatalogApp();
    await fillRequired();
    await userEvent.selectOptions(
      await screen.findByRole("combobox", { name: "Host" }),
      "pve-main (reachable)",
    );
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Node" }), "pve1 (online)");

    await userEvent.click(screen.getByRole("button", { name: "Deploy" }));

    await screen.findByRole("heading", { name: "App new-app-id" });
    expect(deploys(seen)[0]?.body).toMatchObject({ host_id: HOST_ID, node: "pve1" });
  });

  it("places a non-admin's app automatically, without asking the admin-only routes", async () => {
    const seen = fakeStore(accepted);
    renderCatalogApp();
    await screen.findByLabelText("Host name", { exact: false });
    expect(screen.queryByRole("combobox", { name: "Host" })).not.toBeInTheDocument();
    expect(requestsTo(seen, "GET", "/api/proxmox/hosts")).toHaveLength(0);
  });

  it("says when the app is not in the catalog", async () => {
    fakeApi({ "GET /api/catalog/:app_id": { status: 404, body: { detail: "Catalog app not found" } } });
    renderCatalogApp();
    expect(await screen.findByRole("alert")).toHaveTextContent("Catalog app not found");
    expect(screen.getByRole("link", { name: "Back to the store" })).toHaveAttribute("href", "/store");
  });
});
