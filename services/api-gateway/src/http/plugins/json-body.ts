import type { FastifyInstance } from "fastify";

/**
 * JSON bodies as fastify parses them (prototype poisoning refused), except that an empty body
 * sent with `Content-Type: application/json` counts as no body, as if the header were absent:
 * scripts and HTTP libraries send the header on every POST and DELETE, and routes whose body is
 * optional (create a backup with the defaults, restore, log out) must not answer 400 for it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    parseJson(request, text, done);
  });
}
