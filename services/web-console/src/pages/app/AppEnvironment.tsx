import type { App } from "../../api/types";
import { DataTable } from "../../components/DataTable";

/** The app's variables: plain values, and secret ones by name only (the API never returns them). */
export function AppEnvironment({ app }: { readonly app: App }) {
  const plain = Object.entries(app.environment).sort(([a], [b]) => a.localeCompare(b));
  const secrets = Object.entries(app.secrets).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel" aria-labelledby="environment-title">
      <h2 id="environment-title">Environment</h2>
      {plain.length === 0 && secrets.length === 0 ? (
        <p className="muted">This app has no environment variables.</p>
      ) : (
        <DataTable columns={["Name", "Value"]}>
          {plain.map(([name, value]) => (
            <tr key={name}>
              <td data-label="Name">
                <code>{name}</code>
              </td>
              <td data-label="Value" className="env-value">
                <code>{value}</code>
              </td>
            </tr>
          ))}
          {secrets.map(([name, state]) => (
            <tr key={`secret-${name}`}>
              <td data-label="Name">
                <code>{name}</code>
                <span className="tag">secret</span>
              </td>
              <td data-label="Value">{state === "set" ? "set" : "not set"}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
