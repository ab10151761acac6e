/**
 * A recursive-descent parser for the POSIX sh subset deployment scripts use: lists, `&&`/`||`,
 * pipelines, `!`, redirections and here-docs, assignments, `if`/`for`/`while`/`until`, `{ }` and
 * `( )` groups.
 */
import type { Command, Redirect } from "./ast.js";
import { ShellSyntaxError, type Token, tokenize, type Word } from "./tokenizer.js";

/** Parses a whole script. */
export function parseScript(src: string): Command {
  const p = new Parser(tokenize(src));
  const list = p.list([]);
  p.expectEnd();
  return list;
}

const REDIRECT_OPS = new Set([">", ">>", "<", ">&", "<&", ">|", "<<", "<<-"]);

/** The literal text of a word if it has no quoting or expansions (reserved words, names). */
function plain(word: Word): string | undefined {
  if (word.parts.some((p) => p.type !== "lit" || p.quoted)) return undefined;
  return word.parts.map((p) => (p.type === "lit" ? p.text : "")).join("");
}

class Parser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  expectEnd(): void {
    const t = this.#tokens[this.#pos];
    if (t) throw new ShellSyntaxError(`Syntax error: "${describe(t)}" unexpected`);
  }

  /** Commands separated by ; & or newlines, until one of `stops` (reserved words) or `)`. */
  list(stops: readonly string[]): Command {
    const items: Command[] = [];
    for (;;) {
      this.#skipSeparators();
      const t = this.#peek();
      if (!t || (t.kind === "op" && (t.op === ")" || t.op === ";;"))) break;
      if (t.kind === "word" && stops.includes(plain(t.word) ?? "")) break;
      items.push(this.#andOr());
    }
    return { type: "list", items };
  }

  #andOr(): Command {
    const first = this.#pipeline();
    const rest: { op: "&&" | "||"; command: Command }[] = [];
    for (;;) {
      const t = this.#peek();
      if (t?.kind !== "op" || (t.op !== "&&" && t.op !== "||")) break;
      this.#pos++;
      this.#skipNewlines();
      rest.push({ op: t.op, command: this.#pipeline() });
    }
    return rest.length === 0 ? first : { type: "andor", first, rest };
  }

  #pipeline(): Command {
    let negate = false;
    const t = this.#peek();
    if (t?.kind === "word" && plain(t.word) === "!") {
      negate = true;
      this.#pos++;
    }
    const commands = [this.#command()];
    for (;;) {
      const n = this.#peek();
      if (n?.kind !== "op" || n.op !== "|") break;
      this.#pos++;
      this.#skipNewlines();
      commands.push(this.#command());
    }
    return commands.length === 1 && !negate ? commands[0]! : { type: "pipeline", negate, commands };
  }

  #command(): Command {
    const t = this.#peek();
    if (!t) throw new ShellSyntaxError("Syntax error: end of file unexpected");
    if (t.kind === "op" && t.op === "(") {
      this.#pos++;
      const body = this.list([]);
      this.#expectOp(")");
      return { type: "group", body, redirects: this.#redirects() };
    }
    const word = t.kind === "word" ? plain(t.word) : undefined;
    if (word === "{") {
      this.#pos++;
      const body = this.list(["}"]);
      this.#expectWord("}");
      return { type: "group", body, redirects: this.#redirects() };
    }
    if (word === "if") return this.#if();
    if (word === "for") return this.#for();
    if (word === "while" || word === "until") return this.#while(word === "until");
    return this.#simple();
  }

  #if(): Command {
    this.#pos++;
    const branches: { cond: Command; body: Command }[] = [];
    let otherwise: Command | undefined;
    for (;;) {
      const cond = this.list(["then"]);
      this.#expectWord("then");
      branches.push({ cond, body: this.list(["elif", "else", "fi"]) });
      const kw = this.#nextWord();
      if (kw === "elif") continue;
      if (kw === "else") {
        otherwise = this.list(["fi"]);
        this.#expectWord("fi");
      } else if (kw !== "fi") throw new ShellSyntaxError('Syntax error: expecting "fi"');
      break;
    }
    return otherwise ? { type: "if", branches, otherwise } : { type: "if", branches };
  }

  #for(): Command {
    this.#pos++;
    const name = this.#nextWord();
    if (!name) throw new ShellSyntaxError("Syntax error: Bad for loop variable");
    const items: Word[] = [];
    this.#skipNewlines();
    if (this.#peekWord() === "in") {
      this.#pos++;
      for (let t = this.#peek(); t?.kind === "word"; t = this.#peek()) {
        items.push(t.word);
        this.#pos++;
      }
    }
    this.#expectWord("do");
    const body = this.list(["done"]);
    this.#expectWord("done");
    return { type: "for", name, items, body };
  }

  #while(until: boolean): Command {
    this.#pos++;
    const cond = this.list(["do"]);
    this.#expectWord("do");
    const body = this.list(["done"]);
    this.#expectWord("done");
    return { type: "while", until, cond, body };
  }

  #simple(): Command {
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.#peek();
      if (!t || t.kind === "newline") break;
      if (t.kind === "op") {
        if (!REDIRECT_OPS.has(t.op)) break;
        redirects.push(this.#redirect());
        continue;
      }
      const first = t.word.parts[0];
      const m =
        words.length === 0 && first?.type === "lit" && !first.quoted
          ? /^([A-Za-z_]\w*)=/.exec(first.text)
          : null;
      if (m && first?.type === "lit") {
        const rest = [{ ...first, text: first.text.slice(m[0].length) }, ...t.word.parts.slice(1)];
        assigns.push({ name: m[1]!, value: { parts: rest as Word["parts"] } });
      } else words.push(t.word);
      this.#pos++;
    }
    if (words.length === 0 && assigns.length === 0 && redirects.length === 0) {
      const t = this.#peek();
      throw new ShellSyntaxError(`Syntax error: "${t ? describe(t) : "end of file"}" unexpected`);
    }
    return { type: "simple", assigns, words, redirects };
  }

  #redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (let t = this.#peek(); t?.kind === "op" && REDIRECT_OPS.has(t.op); t = this.#peek())
      out.push(this.#redirect());
    return out;
  }

  #redirect(): Redirect {
    const t = this.#tokens[this.#pos++] as Extract<Token, { kind: "op" }>;
    const fd = t.ioNumber ?? (t.op.startsWith("<") ? 0 : 1);
    if (t.heredoc) return { fd, op: t.op, target: undefined, heredoc: t.heredoc };
    const target = this.#tokens[this.#pos];
    if (target?.kind !== "word") throw new ShellSyntaxError("Syntax error: redirection unexpected");
    this.#pos++;
    return { fd, op: t.op, target: target.word };
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  #peekWord(): string | undefined {
    const t = this.#peek();
    return t?.kind === "word" ? plain(t.word) : undefined;
  }

  #nextWord(): string | undefined {
    this.#skipSeparators();
    const w = this.#peekWord();
    if (w !== undefined) this.#pos++;
    return w;
  }

  #expectWord(word: string): void {
    this.#skipSeparators();
    if (this.#peekWord() !== word) throw new ShellSyntaxError(`Syntax error: expecting "${word}"`);
    this.#pos++;
  }

  #expectOp(op: string): void {
    const t = this.#peek();
    if (t?.kind !== "op" || t.op !== op) throw new ShellSyntaxError(`Syntax error: expecting "${op}"`);
    this.#pos++;
  }

  #skipNewlines(): void {
    while (this.#peek()?.kind === "newline") this.#pos++;
  }

  #skipSeparators(): void {
    for (
      let t = this.#peek();
      t && (t.kind === "newline" || (t.kind === "op" && (t.op === ";" || t.op === "&")));
      t = this.#peek()
    ) {
      this.#pos++;
    }
  }
}

function describe(t: Token): string {
  return t.kind === "op" ? t.op : t.kind === "newline" ? "newline" : "word";
}
