import { Route, Routes } from "react-router";
import { SubNav } from "../../components/SubNav";
import { NotFoundPage } from "../not-found/NotFoundPage";
import { ChangePasswordPage } from "./password/ChangePasswordPage";
import { SessionsPage } from "./sessions/SessionsPage";
import { TokensPage } from "./tokens/TokensPage";
import "./account.css";

const SECTIONS = [
  { to: "/account", label: "Password", end: true },
  { to: "/account/tokens", label: "API tokens" },
  { to: "/account/sessions", label: "Sessions" },
];

/** The signed-in person's own account (mounted at /account/*): password, API tokens, sessions. */
export function AccountPage() {
  return (
    <>
      <SubNav label="Account sections" links={SECTIONS} />
      <Routes>
        <Route index element={<ChangePasswordPage />} />
        <Route path="tokens" element={<TokensPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </>
  );
}
