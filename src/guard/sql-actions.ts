/**
 * File, program and network actions written in SQL itself, whichever client or server runs
 * it: `COPY … TO PROGRAM` runs a shell command on the database host, `pg_read_file` and
 * sqlite's `readfile` read a file, `COPY … TO 'https://…'` (duckdb) uploads a table and
 * `ATTACH 'x.db'` opens (and may write) another database file. Each action is written out
 * as the shell command it amounts to, so the stage-1 checks judge it as they judge the shell.
 */

/** A quoted or bare SQL word: `'a b'` (with `''` inside), `"a b"` or one word. */
const SQL_WORD = String.raw`('(?:[^']|'')*'|"[^"]*"|[^\s;,)'"]+)`;

/** Words that every action below contains; text without them is skipped at once. */
const KEYWORDS =
  /copy|attach|load|into|infile|file|lo_import|lo_export|read_text|read_blob|read_csv|read_json|read_parquet/i;

/** SQL functions that read a file. */
const READ_FUNCTIONS = new RegExp(
  String.raw`\b(?:readfile|load_file|pg_read_file|pg_read_binary_file|pg_stat_file|lo_import|read_text|read_blob|read_csv(?:_auto)?|read_json(?:_auto)?|read_parquet|load_extension)\s*\(\s*${SQL_WORD}`,
  'gi',
);
/** SQL functions that write a file. */
const WRITE_FUNCTIONS = new RegExp(String.raw`\b(?:writefile|lo_export)\s*\(\s*${SQL_WORD}`, 'gi');
/**
 * `COPY … TO PROGRAM 'cmd'` and `COPY … FROM PROGRAM 'cmd'`, which run `cmd` in a shell; with
 * TO, the table is its standard input.
 */
const COPY_PROGRAM = new RegExp(
  String.raw`\bcopy\b[^;]*?\b(to|from)\s+program\s+${SQL_WORD}`,
  'gi',
);
/** `COPY … TO 'target'`: a file, or with duckdb an `https://`, `s3://` or similar URL. */
const COPY_TO = new RegExp(
  String.raw`\bcopy\b[^;]*?\bto\s+(?!program\b|stdout\b)${SQL_WORD}`,
  'gi',
);
/** `COPY … FROM 'file'`, which reads a file on the database host. */
const COPY_FROM = new RegExp(
  String.raw`\bcopy\s+[\w."]+(?:\s*\([^)]*\))?\s+from\s+(?!program\b|stdin\b)${SQL_WORD}`,
  'gi',
);
/** `ATTACH [DATABASE] 'file'`, which opens another database for reading and writing. */
const ATTACH = new RegExp(
  String.raw`\battach\s+(?:database\s+)?(?:if\s+not\s+exists\s+)?${SQL_WORD}`,
  'gi',
);
/** MySQL's `INTO OUTFILE`/`DUMPFILE` writes a file; `LOAD DATA INFILE` reads one. */
const INTO_FILE = new RegExp(String.raw`\binto\s+(?:outfile|dumpfile)\s+${SQL_WORD}`, 'gi');
const LOAD_FILE = new RegExp(String.raw`\bload\s+data\s+(?:local\s+)?infile\s+${SQL_WORD}`, 'gi');

/** URL schemes that a COPY target uploads to. */
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Targets that are not files: a table, standard streams, an in-memory database. */
const NOT_A_FILE = /^(?::memory:|stdout|stdin|stderr|)$/i;

/**
 * Returns the shell commands that the file, program and network actions of SQL `text`
 * amount to: a read as `cat -- PATH`, a write as `tee -- PATH`, an upload as `curl` of the
 * table to the URL, and a program as its own command line. `ATTACH` of a URL only reads.
 *
 * @example
 * sqlActions("COPY t TO PROGRAM 'gzip > t.gz'"); // ['cat -- /dev/stdin | gzip > t.gz']
 */
export function sqlActions(text: string): string[] {
  if (!KEYWORDS.test(text)) {
    return [];
  }
  const lines: string[] = [];
  for (const match of text.matchAll(COPY_PROGRAM)) {
    const program = unquote(match[2] ?? '');
    lines.push(/^to$/i.test(match[1] ?? '') ? `cat -- /dev/stdin | ${program}` : program);
  }
  for (const pattern of [READ_FUNCTIONS, COPY_FROM, LOAD_FILE]) {
    for (const match of text.matchAll(pattern)) {
      const target = unquote(match[1] ?? '');
      if (!REMOTE.test(target) && !NOT_A_FILE.test(target)) {
        lines.push(`cat -- ${shellQuote(target)}`);
      }
    }
  }
  for (const pattern of [WRITE_FUNCTIONS, COPY_TO, INTO_FILE, ATTACH]) {
    for (const match of text.matchAll(pattern)) {
      const word = match[1] ?? '';
      const target = unquote(word);
      // A bare word after ATTACH or COPY … TO is an expression or keyword, not a path.
      if (NOT_A_FILE.test(target) || (pattern !== WRITE_FUNCTIONS && word === target)) {
        continue;
      }
      if (!REMOTE.test(target)) {
        lines.push(`tee -- ${shellQuote(target)} < /dev/null`);
      } else if (pattern !== ATTACH) {
        lines.push(`cat -- /dev/stdin | ${uploadTo(target)}`);
      }
    }
  }
  return lines;
}

/** The shell command that uploads standard input to `url`, by the URL's scheme. */
function uploadTo(url: string): string {
  if (/^s3a?:/i.test(url)) {
    return `aws s3 cp - ${shellQuote(url)}`;
  }
  if (/^(?:gs|gcs):/i.test(url)) {
    return `gsutil cp - ${shellQuote(url.replace(/^gcs:/i, 'gs:'))}`;
  }
  if (/^(?:az|azure|abfss?):/i.test(url)) {
    return `az storage blob upload --file /dev/stdin --blob-url ${shellQuote(url)}`;
  }
  return `curl --data-binary @- -- ${shellQuote(url)}`;
}

function unquote(word: string): string {
  if (/^'.*'$/s.test(word)) {
    return word.slice(1, -1).replace(/''/g, "'");
  }
  return /^".*"$/s.test(word) ? word.slice(1, -1) : word;
}

/** Quotes `text` as one shell word. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
