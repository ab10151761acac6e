/**
 * The command tree the parser builds and the interpreter walks.
 */
import type { HereDoc, Word } from "./tokenizer.js";

export interface Redirect {
  readonly fd: number;
  readonly op: string;
  readonly target: Word | undefined;
  readonly heredoc?: HereDoc;
}

export type Command =
  | {
      readonly type: "simple";
      readonly assigns: readonly { readonly name: string; readonly value: Word }[];
      readonly words: readonly Word[];
      readonly redirects: readonly Redirect[];
    }
  | { readonly type: "pipeline"; readonly negate: boolean; readonly commands: readonly Command[] }
  | {
      readonly type: "andor";
      readonly first: Command;
      readonly rest: readonly { op: "&&" | "||"; command: Command }[];
    }
  | { readonly type: "list"; readonly items: readonly Command[] }
  | {
      readonly type: "if";
      readonly branches: readonly { readonly cond: Command; readonly body: Command }[];
      readonly otherwise?: Command;
    }
  | { readonly type: "for"; readonly name: string; readonly items: readonly Word[]; readonly body: Command }
  | { readonly type: "while"; readonly until: boolean; readonly cond: Command; readonly body: Command }
  | { readonly type: "group"; readonly body: Command; readonly redirects: readonly Redirect[] };
