/**
 * A POSIX shell tokenizer: words with their quoting kept as parts (so expansion knows what was
 * quoted), operators, newlines and here-documents. Quoting follows POSIX: nothing is special inside
 * single quotes; inside double quotes only `$`, backquote and `\` before `$ \` " \ newline`.
 */

export type WordPart =
  | { readonly type: "lit"; readonly text: string; readonly quoted: boolean }
  | { readonly type: "var"; readonly name: string; readonly quoted: boolean }
  | { readonly type: "cmd"; readonly script: string; readonly quoted: boolean };

export interface Word {
  readonly parts: readonly WordPart[];
}

export interface HereDoc {
  readonly delimiter: string;
  /** Quoted delimiter: the body is taken literally (no expansion). */
  readonly quoted: boolean;
  readonly stripTabs: boolean;
  body: string;
}

export type Token =
  | { readonly kind: "word"; readonly word: Word }
  | { readonly kind: "op"; readonly op: string; readonly ioNumber?: number; readonly heredoc?: HereDoc }
  | { readonly kind: "newline" };

export class ShellSyntaxError extends Error {}

const OPERATORS = ["<<-", "&&", "||", ";;", "<<", ">>", ">&", "<&", ">|", ";", "&", "|", "(", ")", "<", ">"];

/** Splits a script into tokens; throws ShellSyntaxError on unterminated quotes or here-docs. */
export function tokenize(src: string): Token[] {
  return new Tokenizer(src).run();
}

/** The plain words of a command line (no operators allowed), quotes removed, nothing expanded. */
export function splitWords(src: string): string[] {
  return tokenize(src).map((t) => {
    if (t.kind !== "word") throw new ShellSyntaxError("unexpected operator");
    return t.word.parts
      .map((p) => (p.type === "lit" ? p.text : p.type === "var" ? `$${p.name}` : `$(${p.script})`))
      .join("");
  });
}

class Tokenizer {
  readonly #src: string;
  #i = 0;
  readonly #tokens: Token[] = [];
  readonly #pendingHereDocs: HereDoc[] = [];
  #parts: WordPart[] = [];
  #lit = "";
  #litQuoted = false;
  #inWord = false;

  constructor(src: string) {
    this.#src = src;
  }

  run(): Token[] {
    const s = this.#src;
    while (this.#i < s.length) {
      const c = s[this.#i]!;
      if (c === " " || c === "\t") {
        this.#endWord();
        this.#i++;
      } else if (c === "\n") {
        this.#endWord();
        this.#tokens.push({ kind: "newline" });
        this.#i++;
        this.#readHereDocs();
      } else if (c === "#" && !this.#inWord) {
        while (this.#i < s.length && s[this.#i] !== "\n") this.#i++;
      } else if (c === "'") {
        const end = s.indexOf("'", this.#i + 1);
        if (end < 0) throw new ShellSyntaxError("Syntax error: Unterminated quoted string");
        this.#addLit("", true);
        this.#addLit(s.slice(this.#i + 1, end), true);
        this.#i = end + 1;
      } else if (c === '"') {
        this.#readDoubleQuoted();
      } else if (c === "\\") {
        if (s[this.#i + 1] === "\n") this.#i += 2;
        else {
          this.#addLit(s[this.#i + 1] ?? "", true);
          this.#i += 2;
        }
      } else if (c === "$" || c === "`") {
        this.#readDollar(false);
      } else {
        const op = OPERATORS.find((o) => s.startsWith(o, this.#i));
        if (op) this.#readOperator(op);
        else {
          this.#addLit(c, false);
          this.#i++;
        }
      }
    }
    this.#endWord();
    if (this.#pendingHereDocs.length > 0) this.#readHereDocs();
    return this.#tokens;
  }

  #addLit(text: string, quoted: boolean): void {
    this.#inWord = true;
    if (text === "") {
      // '' and "" still make an argument: keep an empty quoted part.
      this.#flushLit();
      this.#parts.push({ type: "lit", text: "", quoted });
      return;
    }
    if (this.#lit !== "" && this.#litQuoted !== quoted) this.#flushLit();
    this.#lit += text;
    this.#litQuoted = quoted;
  }

  #flushLit(): void {
    if (this.#lit !== "") this.#parts.push({ type: "lit", text: this.#lit, quoted: this.#litQuoted });
    this.#lit = "";
  }

  #endWord(): void {
    if (!this.#inWord) return;
    this.#flushLit();
    this.#tokens.push({ kind: "word", word: { parts: this.#parts } });
    this.#parts = [];
    this.#inWord = false;
  }

  #readOperator(op: string): void {
    // A word of digits right before a redirection is its file descriptor (2>&1).
    let ioNumber: number | undefined;
    if (
      (op.startsWith(">") || op.startsWith("<")) &&
      this.#parts.length === 0 &&
      /^\d$/.test(this.#lit) &&
      !this.#litQuoted
    ) {
      ioNumber = Number(this.#lit);
      this.#lit = "";
      this.#inWord = false;
    }
    this.#endWord();
    this.#i += op.length;
    if (op === "<<" || op === "<<-") {
      const heredoc: HereDoc = { delimiter: "", quoted: false, stripTabs: op === "<<-", body: "" };
      this.#pendingHereDocs.push(heredoc);
      this.#tokens.push({ kind: "op", op, heredoc, ...(ioNumber !== undefined ? { ioNumber } : {}) });
      return;
    }
    this.#tokens.push({ kind: "op", op, ...(ioNumber !== undefined ? { ioNumber } : {}) });
  }

  #readDoubleQuoted(): void {
    const s = this.#src;
    this.#addLit("", true);
    this.#i++;
    for (;;) {
      if (this.#i >= s.length) throw new ShellSyntaxError("Syntax error: Unterminated quoted string");
      const c = s[this.#i]!;
      if (c === '"') {
        this.#i++;
        return;
      }
      if (c === "\\" && '$`"\\\n'.includes(s[this.#i + 1] ?? "")) {
        if (s[this.#i + 1] !== "\n") this.#addLit(s[this.#i + 1]!, true);
        this.#i += 2;
      } else if (c === "$" || c === "`") {
        this.#readDollar(true);
      } else {
        this.#addLit(c, true);
        this.#i++;
      }
    }
  }

  #readDollar(quoted: boolean): void {
    const s = this.#src;
    const i = this.#i;
    this.#inWord = true;
    if (s[i] === "`") {
      let j = i + 1;
      let script = "";
      while (j < s.length && s[j] !== "`") {
        if (s[j] === "\\" && "$`\\".includes(s[j + 1] ?? "")) j++;
        script += s[j];
        j++;
      }
      if (j >= s.length) throw new ShellSyntaxError("Syntax error: EOF in backquote substitution");
      this.#pushPart({ type: "cmd", script, quoted }, j + 1);
      return;
    }
    const next = s[i + 1] ?? "";
    if (next === "(" && s[i + 2] !== "(") {
      const end = findClosingParen(s, i + 2);
      this.#pushPart({ type: "cmd", script: s.slice(i + 2, end), quoted }, end + 1);
      return;
    }
    if (next === "{") {
      const end = s.indexOf("}", i + 2);
      if (end < 0) throw new ShellSyntaxError("Syntax error: Missing '}'");
      this.#pushPart({ type: "var", name: s.slice(i + 2, end), quoted }, end + 1);
      return;
    }
    const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!-])/.exec(s.slice(i + 1))?.[1];
    if (name) {
      this.#pushPart({ type: "var", name, quoted }, i + 1 + name.length);
      return;
    }
    this.#addLit("$", quoted);
    this.#i++;
  }

  #pushPart(part: WordPart, nextIndex: number): void {
    this.#flushLit();
    this.#parts.push(part);
    this.#i = nextIndex;
  }

  #readHereDocs(): void {
    const s = this.#src;
    for (const doc of this.#pendingHereDocs.splice(0)) {
      fillDelimiter(doc, this.#tokens);
      const lines: string[] = [];
      for (;;) {
        if (this.#i >= s.length) break; // dash ends an unterminated here-doc at EOF too
        const nl = s.indexOf("\n", this.#i);
        const raw = nl < 0 ? s.slice(this.#i) : s.slice(this.#i, nl);
        this.#i = nl < 0 ? s.length : nl + 1;
        const line = doc.stripTabs ? raw.replace(/^\t+/, "") : raw;
        if (line === doc.delimiter) break;
        lines.push(line);
      }
      doc.body = lines.length > 0 ? `${lines.join("\n")}\n` : "";
    }
  }
}

/** The word after `<<` is the delimiter; any quoting in it makes the body literal. */
function fillDelimiter(doc: HereDoc, tokens: Token[]): void {
  const at = tokens.findIndex((t) => t.kind === "op" && t.heredoc === doc);
  const word = tokens[at + 1];
  if (word?.kind !== "word") throw new ShellSyntaxError("Syntax error: missing here-document delimiter");
  const mutable = doc as { delimiter: string; quoted: boolean };
  mutable.delimiter = word.word.parts.map((p) => (p.type === "lit" ? p.text : "")).join("");
  mutable.quoted = word.word.parts.some((p) => p.quoted);
  tokens.splice(at + 1, 1);
}

/** Index of the `)` closing a `$(` whose content starts at `from` (quotes and nesting respected). */
function findClosingParen(s: string, from: number): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    const c = s[j];
    if (c === "\\") j++;
    else if (c === "'") j = s.indexOf("'", j + 1);
    else if (c === '"') {
      for (j++; j < s.length && s[j] !== '"'; j++) if (s[j] === "\\") j++;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j;
    if (j < 0) break;
  }
  throw new ShellSyntaxError('Syntax error: end of file unexpected (expecting ")")');
}
