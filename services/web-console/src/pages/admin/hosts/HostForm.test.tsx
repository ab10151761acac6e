import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../test/fake-api";
import { makeAdmin, makeHost } from "../../../test/fixtures";
import { renderAt } from "../../../test/render";
import { AdminRoutes } from "../AdminRoutes";

const PIN = `${"AB:".repeat(31)}AB`;
const KEY = `SHA256:${"b".repeat(43)}`;

const renderAdmin = (path: string) => renderAt(path, <Route path="/admin/*" element={<AdminRoutes />} />);

async function fillNewHost(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByRole("textbox", { name: /^Name/ }), "pve-lab");
  await user.type(screen.getByRole("textbox", { name: /^Address/ }), "pve.example.net");
  await user.type(screen.getByRole("textbox", { name: /^API token ID/ }), "root@pam!proximity");
  await user.type(screen.getByLabelText(/^API token secret/), "token-secret");
  await user.type(screen.getByLabelText(/^SSH password/), "ssh-secret");
  await user.type(screen.getByRole("textbox", { name: /^Node name/ }), "pve1");
  await user.type(screen.getByRole("textbox", { name: /^SSH host \(/ }), "10.0.0.2");
  await user.type(screen.getByRole("textbox", { name: /^SSH host key fingerprint/ }), KEY);
}

describe("host form", () => {
  it("sends the CA certificate, and no pin, when the CA is chosen", async () => {
    const seen = fakeApi(
      {
        "POST /api/proxmox/hosts": { status: 201, body: makeHost() },
        "GET /api/proxmox/hosts/:id": { body: makeHost() },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin("/admin/hosts/new");
    await fillNewHost(user);

    expect(screen.getByRole("textbox", { name: /^Certificate SHA-256 fingerprint/ })).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /^CA certificate/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole("radio", { name: "Trust a CA certificate (PEM)" }));
    expect(
      screen.queryByRole("textbox", { name: /^Certificate SHA-256 fingerprint/ }),
    ).not.toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: /^CA certificate/ }), "-----BEGIN CERTIFICATE-----");
    await user.click(screen.getByRole("button", { name: "Add host" }));

    await screen.findByRole("heading", { level: 1, name: "pve-lab" });
    const post = seen.find((request) => request.method === "POST");
    expect(post?.body).toMatchObject({
      name: "pve-lab",
      auth_mode: "api_token",
      tls_ca_pem: "-----BEGIN CERTIFICATE-----",
      nodes: [{ name: "pve1", ssh_host: "10.0.0.2", ssh_host_key_fingerprint: KEY }],
    });
    expect(post?.body).not.toHaveProperty("tls_fingerprint");
  });

  it("asks for the fingerprint at its field before sending when a pin is chosen", async () => {
    const seen = fakeApi({}, { user: makeAdmin() });
    const user = userEvent.setup();
    renderAdmin("/admin/hosts/new");
    await fillNewHost(user);
    await user.click(screen.getByRole("button", { name: "Add host" }));

    const pin = screen.getByRole("textbox", { name: /^Certificate SHA-256 fingerprint/ });
    expect(pin).toHaveAttribute("aria-invalid", "true");
    expect(pin).toHaveAccessibleDescription(/Enter the certificate's fingerprint to pin it/);
    expect(pin).toHaveFocus();
    expect(seen.some((request) => request.method === "POST")).toBe(false);
  });

  it("says every missing or malformed field at once, in words, with the summary's labels matching", async () => {
    const seen = fakeApi({}, { user: makeAdmin() });
    const user = userEvent.setup();
    renderAdmin("/admin/hosts/new");
    await user.type(await screen.findByRole("textbox", { name: /^SSH host key fingerprint/ }), "AA:BB");
    await user.click(screen.getByRole("button", { name: "Add host" }));

    const summary = screen.getByRole("alert");
    expect(summary).toHaveTextContent("9 fields need your attention.");
    for (const line of [
      "Name: Enter a name for the host.",
      "Address: Enter the host name or IP address of the Proxmox API.",
      "API token ID: Enter the API token ID, e.g. root@pam!proximity.",
      "API token secret: Enter the API token's secret.",
      "Certificate SHA-256 fingerprint: Enter the certificate's fingerprint to pin it.",
      "SSH password: Enter an SSH password or a private key (or both).",
      "Node 1, Node name: Enter the node's name as Proxmox shows it, e.g. pve1.",
      "Node 1, SSH host: Enter the host name or IP address to reach it over SSH.",
      "Node 1, SSH host key fingerprint: Enter it as SHA256: followed by 43 base64 characters",
    ])
      expect(summary).toHaveTextContent(line);
    const name = screen.getByRole("textbox", { name: /^Name/ });
    expect(name).toHaveAccessibleDescription(/Enter a name for the host/);
    expect(name).toHaveFocus();
    expect(screen.getByLabelText(/^SSH password/)).toHaveAccessibleDescription(
      /SSH password or a private key/,
    );
    expect(seen.some((request) => request.method === "POST")).toBe(false);
  });

  it("shows the API's field errors at their fields and in the summary", async () => {
    fakeApi(
      {
        "POST /api/proxmox/hosts": {
          status: 400,
          body: {
            detail: "Invalid host",
            errors: [
              { field: "tls_fingerprint", message: "must be a SHA-256 fingerprint AA:BB:... (32 bytes)" },
              { field: "nodes[0].ssh_host", message: "must be a host name or an IP address" },
            ],
          },
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin("/admin/hosts/new");
    await fillNewHost(user);
    await user.type(screen.getByRole("textbox", { name: /^Certificate SHA-256 fingerprint/ }), PIN);
    await user.click(screen.getByRole("button", { name: "Add host" }));

    const summary = await screen.findByRole("alert");
    expect(within(summary).getByText("Invalid host")).toBeInTheDocument();
    expect(within(summary).getByText(/Node 1, SSH host: must be a host name/)).toBeInTheDocument();
    expect(
      screen.getByRole("textbox", { name: /^Certificate SHA-256 fingerprint/ }),
    ).toHaveAccessibleDescription(/must be a SHA-256 fingerprint/);
    expect(screen.getByRole("textbox", { name: /^SSH host \(/ })).toHaveAccessibleDescription(
      /must be a host name or an IP address/,
    );
  });

  it("never fills in stored credentials when editing, and sends only what changed", async () => {
    const host = makeHost({ tls_fingerprint: PIN });
    const seen = fakeApi(
      {
        "GET /api/proxmox/hosts/:id": { body: host },
        "PUT /api/proxmox/hosts/:id": {
          status: 400,
          body: {
            detail:
              "Changing where the host is reached or how it is verified requires its credentials in the same request",
            errors: [{ field: "api_secret", message: "must be given again to change address" }],
          },
        },
      },
      { user: makeAdmin() },
    );
    const user = userEvent.setup();
    renderAdmin(`/admin/hosts/${host.id}/edit`);

    const secret = await screen.findByLabelText(/^API token secret/);
    expect(secret).toHaveValue("");
    expect(secret).toHaveAttribute("type", "password");
    expect(secret).toHaveAccessibleDescription(/Leave empty to keep the stored one/);
    expect(screen.getByLabelText(/^SSH password/)).toHaveValue("");
    expect(screen.getByRole("textbox", { name: /^SSH private key/ })).toHaveValue("");
    expect(screen.getByRole("textbox", { name: /^Address/ })).toHaveValue("pve.example.net");

    const address = screen.getByRole("textbox", { name: /^Address/ });
    await user.clear(address);
    await user.type(address, "pve2.example.net");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() =>
      expect(screen.getByLabelText(/^API token secret/)).toHaveAttribute("aria-invalid", "true"),
    );
    expect(screen.getByLabelText(/^API token secret/)).toHaveAccessibleDescription(/must be given again/);
    expect(seen.find((request) => request.method === "PUT")?.body).toEqual({ address: "pve2.example.net" });
  });
});
