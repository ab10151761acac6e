/**
 * What a person sees when a screen fails to render (a bug, or a link the router refuses), in
 * place of the router's developer page with its stack trace.
 */
export function RouteError() {
  return (
    <main id="main" className="content">
      <div className="state state-error" role="alert">
        <h1>Something went wrong</h1>
        <p>This page could not be shown. Reload it, or go back to your apps.</p>
        <a className="button" href="/apps">
          Go to the app list
        </a>
      </div>
    </main>
  );
}
