/**
 * A reader of the TOML that task runners keep their tasks in (pyproject.toml, pixi.toml,
 * mise.toml, Makefile.toml, hatch.toml). It reads tables, arrays of tables, dotted and quoted
 * keys, all four string forms, arrays and inline tables. Numbers, booleans and dates are kept
 * as their source text, because task readers only need strings.
 *
 * NOTE: no TOML library is among the project's dependencies, so this covers the TOML 1.0
 * syntax that task tables use; text outside it raises a {@link TomlError}, and callers treat
 * such a file as unread.
 */

/** A TOML value: a string (numbers, booleans and dates as written), an array or a table. */
export type TomlValue = string | TomlValue[] | TomlTable;
/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** Raised for text that is not TOML this reader understands, with the line it failed on. */
export class TomlError extends Error {}

const ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\u001b',
  '"': '"',
  '\\': '\\',
};

/** Parses TOML `text` into nested tables, raising {@link TomlError} on text it cannot read. */
export function parseToml(text: string): TomlTable {
  return new TomlParser(text).parse();
}

class TomlParser {
  private at = 0;
  private readonly root: TomlTable = Object.create(null) as TomlTable;

  constructor(private readonly text: string) {}

  parse(): TomlTable {
    let current = this.root;
    for (;;) {
      this.skipBlank(true);
      if (this.at >= this.text.length) {
        return this.root;
      }
      if (this.text[this.at] === '[') {
        current = this.header();
      } else {
        this.keyValue(current);
      }
      this.endOfLine();
    }
  }

  private fail(message: string): never {
    const line = this.text.slice(0, this.at).split('\n').length;
    throw new TomlError(`${message} on line ${line}`);
  }

  /** Skips spaces and comments, and line breaks too when `lines` is true. */
  private skipBlank(lines: boolean): void {
    while (this.at < this.text.length) {
      const char = this.text[this.at];
      if (char === ' ' || char === '\t' || (lines && (char === '\n' || char === '\r'))) {
        this.at += 1;
      } else if (char === '#') {
        while (this.at < this.text.length && this.text[this.at] !== '\n') {
          this.at += 1;
        }
      } else {
        return;
      }
    }
  }

  private endOfLine(): void {
    this.skipBlank(false);
    const char = this.text[this.at];
    if (char !== undefined && char !== '\n' && char !== '\r') {
      this.fail(`unexpected "${char}"`);
    }
  }

  /** Reads a `[table]` or `[[array]]` header and returns the table that follows it. */
  private header(): TomlTable {
    const isArray = this.text.startsWith('[[', this.at);
    this.at += isArray ? 2 : 1;
    const keys = this.keyPath();
    if (!this.text.startsWith(isArray ? ']]' : ']', this.at)) {
      this.fail('missing "]" after a table name');
    }
    this.at += isArray ? 2 : 1;
    const parent = this.descend(this.root, keys.slice(0, -1));
    const last = keys[keys.length - 1] ?? '';
    if (!isArray) {
      return this.descend(parent, [last]);
    }
    const list = parent[last] ?? [];
    if (!Array.isArray(list)) {
      this.fail(`"${last}" is not an array of tables`);
    }
    const table = Object.create(null) as TomlTable;
    list.push(table);
    parent[last] = list;
    return table;
  }

  /** Returns the table at `keys` below `table`, creating missing ones. */
  private descend(table: TomlTable, keys: readonly string[]): TomlTable {
    let current = table;
    for (const key of keys) {
      let next = current[key];
      if (next === undefined) {
        next = Object.create(null) as TomlTable;
        current[key] = next;
      }
      if (Array.isArray(next)) {
        next = next[next.length - 1];
      }
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        this.fail(`"${key}" is not a table`);
      }
      current = next;
    }
    return current;
  }

  private keyValue(table: TomlTable): void {
    const keys = this.keyPath();
    this.skipBlank(false);
    if (this.text[this.at] !== '=') {
      this.fail('missing "=" after a key');
    }
    this.at += 1;
    this.skipBlank(false);
    const target = this.descend(table, keys.slice(0, -1));
    target[keys[keys.length - 1] ?? ''] = this.value();
  }

  /** Reads a dotted key such as `tool.pdm."scripts"`. */
  private keyPath(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const char = this.text[this.at];
      if (char === '"' || char === "'") {
        keys.push(this.string());
      } else {
        const bare = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.at, this.at + 256))?.[0];
        if (bare === undefined) {
          this.fail('invalid key');
        }
        keys.push(bare);
        this.at += bare.length;
      }
      this.skipBlank(false);
      if (this.text[this.at] !== '.') {
        return keys;
      }
      this.at += 1;
    }
  }

  private value(): TomlValue {
    const char = this.text[this.at];
    if (char === '"' || char === "'") {
      return this.string();
    }
    if (char === '[') {
      return this.array();
    }
    if (char === '{') {
      return this.inlineTable();
    }
    const scalar = /^[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?/.exec(
      this.text.slice(this.at, this.at + 256),
    );
    if (scalar === null) {
      this.fail('missing value');
    }
    this.at += scalar[0].length;
    return scalar[0];
  }

  private array(): TomlValue[] {
    const items: TomlValue[] = [];
    this.at += 1;
    for (;;) {
      this.skipBlank(true);
      if (this.text[this.at] === ']') {
        this.at += 1;
        return items;
      }
      items.push(this.value());
      this.skipBlank(true);
      if (this.text[this.at] === ',') {
        this.at += 1;
      } else if (this.text[this.at] !== ']') {
        this.fail('missing "," or "]" in an array');
      }
    }
  }

  private inlineTable(): TomlTable {
    const table = Object.create(null) as TomlTable;
    this.at += 1;
    for (;;) {
      // TOML 1.0 keeps an inline table on one line; line breaks are accepted as TOML 1.1 does.
      this.skipBlank(true);
      if (this.text[this.at] === '}') {
        this.at += 1;
        return table;
      }
      this.keyValue(table);
      this.skipBlank(true);
      if (this.text[this.at] === ',') {
        this.at += 1;
      } else if (this.text[this.at] !== '}') {
        this.fail('missing "," or "}" in an inline table');
      }
    }
  }

  private string(): string {
    const quote = this.text[this.at] ?? '';
    const multiline = this.text.startsWith(quote.repeat(3), this.at);
    const end = multiline ? quote.repeat(3) : quote;
    this.at += end.length;
    if (multiline && this.text[this.at] === '\n') {
      this.at += 1;
    } else if (multiline && this.text.startsWith('\r\n', this.at)) {
      this.at += 2;
    }
    let value = '';
    for (;;) {
      if (this.at >= this.text.length) {
        this.fail('unterminated string');
      }
      if (this.text.startsWith(end, this.at)) {
        // Up to two quotes right before the closing ones belong to a multi-line string.
        let extra = 0;
        while (multiline && extra < 2 && this.text[this.at + 3 + extra] === quote) {
          extra += 1;
        }
        value += quote.repeat(extra);
        this.at += end.length + extra;
        return value;
      }
      const char = this.text[this.at] ?? '';
      if (char === '\n' && !multiline) {
        this.fail('line break in a string');
      }
      if (char === '\\' && quote === '"') {
        value += this.escape(multiline);
        continue;
      }
      value += char;
      this.at += 1;
    }
  }

  private escape(multiline: boolean): string {
    const next = this.text[this.at + 1] ?? '';
    if (multiline && /[ \t\r\n]/.test(next)) {
      // A backslash at the end of a line joins the next non-blank text.
      const rest = /^\\[ \t]*\r?\n[\s]*/.exec(this.text.slice(this.at));
      if (rest === null) {
        this.fail('invalid escape');
      }
      this.at += rest[0].length;
      return '';
    }
    const unicode = /^\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/.exec(
      this.text.slice(this.at, this.at + 10),
    );
    if (unicode !== null) {
      this.at += unicode[0].length;
      const code = Number.parseInt(unicode[1] ?? unicode[2] ?? '', 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        this.fail('invalid unicode escape');
      }
      return String.fromCodePoint(code);
    }
    const escaped = ESCAPES[next];
    if (escaped === undefined) {
      this.fail(`invalid escape "\\${next}"`);
    }
    this.at += 2;
    return escaped;
  }
}
