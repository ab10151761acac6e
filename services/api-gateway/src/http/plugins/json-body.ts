import type { FastifyInstance } from "fastify";

/**
 * Request bodies are JSON and nothing else. They are parsed as fastify parses JSON (prototype
 * poisoning refused), except that an empty body sent with `Content-Type: application/json`
 * counts as no body, as if the header were absent: scripts and HTTP libraries send the header on
 * every POST and DELETE, and routes whose body is optional (create a backup with the defaults,
 * restore, log out) must not answer 400 for it. Fastify's other default parser, `text/plain`, is
 * removed: a text body would reach routes that take no body unchecked, and it is the one type a
 * cross-site form can send without a CORS preflight. Any other media type is 415.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    parseJson(request, text, done);
  });
}
