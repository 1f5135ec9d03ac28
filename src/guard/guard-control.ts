/**
 * Forms of the guard's own controls that the text rule in rules.ts does not see as written.
 * An approval URL may hide behind percent-escapes or dot segments
 * (`/v1/approvals/ID/%61pprove`, which the server decodes and routes), or sit under another
 * prefix where a reverse proxy or an application mounts the queue's routes. Inline code may run
 * the sandstack CLI with an argv array
 * (`subprocess.run(['npx', 'sandstack', 'guard', 'session', 'reset', 'S'])`). And a command
 * may read sandstack's own token file through the variables that name it.
 */
import { finding, type Finding } from './findings.js';
import { GUARD_CONTROL } from './rules.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** A request path that approves or denies a queued call, after decoding and normalising. */
const APPROVAL_DECISION = /\/v1\/approvals\/[^\s/?#]+\/(?:approve|deny)(?![\w-])/i;
/** A path under the approval queue's API, whatever follows it. */
const APPROVAL_PATH = /\/v1\/approvals\/\S/i;
/**
 * The approve and deny routes of `createApprovalRoutes`, mounted under any prefix (a reverse
 * proxy's `/sandstack/api/approvals/ID/approve`, or `/queue/ID/deny`). Group 1 is the request
 * id, or the word before it when the route sits under `approvals`.
 */
const MOUNTED_DECISION = /\/(?:approvals\/)?([^\s/?#]+)\/(?:approve|deny)(?![\w-])/gi;
/**
 * A path under a mounted queue's routes whose id is a request id or a variable, whatever
 * follows it. With a POST it decides a request, as the queue has no other POST route.
 */
const MOUNTED_PATH = /\/(?:approvals\/\$|(?:approvals\/)?apr_[0-9a-z]{12}\/)\S/i;
/** A request id as the approval queue makes them: `apr_` and 12 base-36 characters. */
const REQUEST_ID = /^apr_[0-9a-z]{12}$/i;
/** A word whose value is known only at run time: a variable, a substitution or a template. */
const COMPUTED_WORD = /[$`{<*]/;
/** An HTTP POST, as curl, wget, HTTPie or inline code writes it. */
const POST_REQUEST =
  /(?:^|\s)(?:-X\s*|--request[=\s]+)['"]?POST\b|\s(?:-d|-F|--data[\w-]*|--json|--form|--post-(?:data|file))(?:[=\s]|$)|\bhttps?\s+POST\b|\bmethod\s*[:=]\s*['"]?post\b|\.post\s*\(/i;
/** Rounds of percent-decoding, enough for any escape a client or proxy decodes in turn. */
const MAX_DECODE_ROUNDS = 8;
/** A reference to the file where `sandstack login` stores server tokens. */
const TOKEN_FILE_VARIABLE = /\$\{?SANDSTACK_CONFIG\b|\$\{?XDG_CONFIG_HOME\}?\/sandstack\b/;
/** Programs that print or test an operand without reading the file it names. */
const NON_READERS = new Set(['echo', 'printf', 'export', 'declare', 'test', '[', '[[']);
/** A string literal's end, a comma and the next literal's start: `', '` or `", ["`. */
const ARGV_SEPARATOR = /(["'`])\s*,\s*\[?\s*(["'`])/g;
/**
 * The end of one string literal and the start of the next, joined by `+`, `.`, `..`, `.concat(`
 * or nothing: `' + '`, `" "`, `'.concat('`. Folding them leaves one literal.
 */
const STRING_JOIN = /(?<=\w)["'`]\s*(?:\+|\.{1,2}|\.concat\(|)\s*["'`](?=[\w./-])/g;

/**
 * Finds an approval decision URL hidden by percent-escapes, doubled slashes or dot segments,
 * and an argv array in inline code that runs one of the guard's controls.
 */
export function checkGuardControl(parsed: ParsedShell, raw: string): Finding | undefined {
  if (/approv|deny|apr_|%|\/\/|\/\./i.test(raw)) {
    const normalised = normaliseUrlPaths(raw);
    // A POST under the queue's API decides a request even when the verb is a variable
    // (`curl -X POST "$API/v1/approvals/$ID/$VERB"`): the API has no other POST route.
    if (
      APPROVAL_DECISION.test(normalised) ||
      decidesMountedRequest(normalised) ||
      ((APPROVAL_PATH.test(normalised) || MOUNTED_PATH.test(normalised)) &&
        POST_REQUEST.test(normalised))
    ) {
      return finding(
        'self-modification',
        "The command decides a request in the guard's approval queue through its HTTP API",
        'guard-control',
      );
    }
  }
  for (const inline of parsed.inlineCode) {
    const code = foldConcatenation(inline.code);
    if (!/sandstack/i.test(code)) {
      continue;
    }
    const joined = code.replace(ARGV_SEPARATOR, ' ');
    if (GUARD_CONTROL.test(joined)) {
      return finding(
        'self-modification',
        `The ${inline.interpreter} code runs the sandstack CLI to change the guard's own decisions, denial counts, pins or state`,
        'guard-control',
      );
    }
  }
  return undefined;
}

/**
 * Checks whether `text` contains an approve or deny route of the approval queue outside `/v1/`.
 * Under `approvals/`, the id must be an approval request id or computed at run time, so an
 * application's own `/api/approvals/42/approve` route stays open. Elsewhere only a request
 * id counts.
 */
function decidesMountedRequest(text: string): boolean {
  for (const match of text.matchAll(MOUNTED_DECISION)) {
    const id = match[1] ?? '';
    const underApprovals = match[0].toLowerCase().startsWith('/approvals/');
    if (REQUEST_ID.test(id) || (underApprovals && COMPUTED_WORD.test(id))) {
      return true;
    }
  }
  return false;
}

/**
 * Joins string literals that code concatenates, so `'sand' + 'stack'`, `"sand" "stack"`
 * (Python's implicit concatenation) and `'.sand'.concat('stack')` read as one literal. Joins
 * through variables or computed values are not followed.
 */
export function foldConcatenation(code: string): string {
  return code.replace(STRING_JOIN, '');
}

/**
 * Decodes percent-escapes until none is left (or {@link MAX_DECODE_ROUNDS}), then removes
 * doubled slashes and `.` and `..` segments, as an HTTP router does before matching a path.
 */
export function normaliseUrlPaths(text: string): string {
  let decoded = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
    const next = decoded.replace(/%([0-9a-f]{2})/gi, (_whole, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === decoded) {
      break;
    }
    decoded = next;
  }
  let previous;
  do {
    previous = decoded;
    decoded = decoded
      .replace(/\/{2,}(?=[^/])/g, (slashes, offset: number) =>
        // The `//` after a scheme (`http://`) stays.
        decoded[offset - 1] === ':' ? slashes : '/',
      )
      .replace(/\/\.(?=\/)/g, '')
      .replace(/\/[^/\s.][^/\s]*\/\.\.(?=\/)/g, '');
  } while (decoded !== previous);
  return decoded;
}

/**
 * Finds a command that reads the token file of `sandstack login` through `$SANDSTACK_CONFIG`
 * or `$XDG_CONFIG_HOME/sandstack`. With a token from it the agent could decide its own queued
 * requests over the server's API.
 */
export function checkGuardTokenReads(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    if (NON_READERS.has(command.name)) {
      continue;
    }
    const word = tokenFileWord(command);
    if (word !== undefined) {
      return finding(
        'credential-exploration',
        `The command reads "${word}", the file where sandstack login stores server tokens`,
        'credential-path',
      );
    }
  }
  return undefined;
}

/** Returns the first operand or input redirect of `command` that names the token file. */
function tokenFileWord(command: SimpleCommand): string | undefined {
  for (let index = 1; index < command.argv.length; index += 1) {
    const arg = command.argv[index] ?? '';
    if (TOKEN_FILE_VARIABLE.test(arg)) {
      return arg;
    }
  }
  for (const redirect of command.redirects) {
    if (redirect.operator.includes('<') && TOKEN_FILE_VARIABLE.test(redirect.target)) {
      return redirect.target;
    }
  }
  return undefined;
}
