/**
 * The parts of the official PVE API schema (pve-docs apidoc, vendored in ../schema/schema.json) the
 * checkers read. Only what is checked is typed; everything else in the schema is ignored.
 */

/** A parameter or return-value schema (JSONSchema-like, PVE flavour). */
export interface PropSchema {
  type?: string;
  /** PVE marks optional properties with 1 (absent or 0 = required). */
  optional?: number;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  /** A named format ("pve-vmid") or the sub-schema of a `key=value,…` property string. */
  format?: string | Record<string, PropSchema & { default_key?: number }>;
  /** Another parameter this one needs (e.g. notes-template → storage). */
  requires?: string;
  items?: PropSchema;
  properties?: Record<string, PropSchema>;
}

export interface MethodInfo {
  parameters?: { properties?: Record<string, PropSchema> };
  returns?: PropSchema;
}

/** One node of the schema tree: a path template and its methods. */
export interface SchemaNode {
  path: string;
  info?: Record<string, MethodInfo>;
  children?: SchemaNode[];
}

/** A request as a server saw it: wire strings, path below /api2/json (may be URL-encoded). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}
