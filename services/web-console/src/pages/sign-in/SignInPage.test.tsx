import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi, requestsTo } from "../../test/fake-api";
import { TestProviders } from "../../test/render";
import { SignInPage, safeNextPath } from "./SignInPage";

describe("safeNextPath", () => {
  it("leads back to a path of this site only", () => {
    expect(safeNextPath("/apps/1?tab=logs")).toBe("/apps/1?tab=logs");
    expect(safeNextPath("https://evil.example")).toBe("/apps");
    expect(safeNextPath("//evil.example")).toBe("/apps");
    expect(safeNextPath("/\\evil.example")).toBe("/apps");
    expect(safeNextPath("/sign-in?next=/x")).toBe("/apps");
    expect(safeNextPath("/.//evil.example")).toBe("/apps");
    expect(safeNextPath("/..//evil.example")).toBe("/apps");
    expect(safeNextPath("/./\\evil.example")).toBe("/apps");
    expect(safeNextPath(null)).toBe("/apps");
    // Tabs and newlines are dropped by URL parsing: "/\t/example.com" is "//example.com".
    expect(safeNextPath("/\t/evil.example")).toBe("/apps");
    expect(safeNextPath("/%09/evil.example")).toBe("/%09/evil.example");
    expect(safeNextPath("/\n/evil.example")).toBe("/apps");
  });
});

describe("the sign-in form", () => {
  it("says at each field what is missing instead of sending an empty form", async () => {
    const seen = fakeApi({ "GET /api/auth/me": { status: 401, body: { detail: "Not authenticated" } } });
    render(
      <TestProviders>
        <MemoryRouter initialEntries={["/sign-in"]}>
          <SignInPage />
        </MemoryRouter>
      </TestProviders>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText(/Username/)).toHaveAccessibleDescription(
      "Not case-sensitive. Enter your username.",
    );
    expect(screen.getByLabelText(/Password/)).toHaveAccessibleDescription("Enter your password.");
    await userEvent.type(screen.getByLabelText(/Username/), "ada");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(screen.getByLabelText(/Password/)).toHaveAccessibleDescription("Enter your password.");
    expect(requestsTo(seen, "POST", "/api/auth/login")).toHaveLength(0);
  });
});
