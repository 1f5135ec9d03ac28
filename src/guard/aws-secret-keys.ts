/**
 * Finds AWS secret access keys, which have no prefix: 40 characters of the base64 alphabet
 * without padding. A 40-character token of that alphabet is too common to redact everywhere
 * (hashes, base64 of 30 bytes), so a token counts as a secret key only where AWS tools and
 * people print one:
 * - on the same line as an access key id (`AKIA…` or `ASIA…`), as in the CSV file that the
 *   AWS console downloads (`AKIA…,wJalr…`) or a shell export line;
 * - as a quoted JSON value in the same object as a quoted access key id, with no brace
 *   between them, as in `aws sts get-session-token` output;
 * - after a "secret access key" label on the same line, as in the `aws configure` prompt
 *   (`AWS Secret Access Key [None]: wJalr…`) or `"SecretAccessKey": "wJalr…"`;
 * - alone on a line, as `aws configure get aws_secret_access_key` prints it, when it mixes
 *   upper case, lower case and digits and the lines around it are not a wrapped base64 block.
 * Tokens of hex digits only, such as git SHAs, never count.
 *
 * The scan reads each character once and costs a binary search or two per candidate token.
 */

/** A character range of a text, end exclusive. */
export interface TextSpan {
  start: number;
  end: number;
}

/** An access key id: `AKIA` (long-term) or `ASIA` (temporary), then 16 more characters. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;
/** A label naming the key: `AWS Secret Access Key`, `SecretAccessKey`, `secret_access_key`. */
const SECRET_KEY_LABEL = /secret[ _-]?access[ _-]?key/gi;
/** An access key id or a label, without which only a key alone on a line counts. */
const CONTEXT_HINT = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|secret[ _-]?access[ _-]?key/i;
/** Length of an AWS secret access key. */
const KEY_LENGTH = 40;

/** Character classes by character code, for the scans below. */
const BASE64 = 1;
const HEX = 2;
const UPPER = 4;
const LOWER = 8;
const DIGIT = 16;
const CLASSES = (() => {
  const classes = new Uint8Array(128);
  const groups: [RegExp, number][] = [
    [/[A-Za-z0-9/+]/, BASE64],
    [/[0-9a-fA-F]/, HEX],
    [/[A-Z]/, UPPER],
    [/[a-z]/, LOWER],
    [/[0-9]/, DIGIT],
  ];
  for (let code = 0; code < 128; code += 1) {
    const char = String.fromCharCode(code);
    classes[code] = groups.reduce(
      (bits, [pattern, bit]) => (pattern.test(char) ? bits | bit : bits),
      0,
    );
  }
  return classes;
})();

function classOf(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (CLASSES[code] ?? 0) : 0;
}

/** A candidate token and the character classes it contains, or-ed together. */
interface Candidate extends TextSpan {
  classes: number;
}

/** Maximum distance, in characters, from an access key id to a secret key it pairs with. */
const MAX_PAIR_DISTANCE = 2048;
/** Maximum characters between the end of a label and the key, such as ` [None]: `. */
const MAX_LABEL_GAP = 40;
/** Maximum whitespace before or after a key alone on its line. */
const MAX_INDENT = 64;

/** Positions that the checks of one text share, each sorted. */
interface KeyContext {
  text: string;
  keyIds: TextSpan[];
  keyIdStarts: number[];
  labels: TextSpan[];
  labelStarts: number[];
  /** Positions of `\n`. */
  newlines: number[];
  /** Positions of `{` and `}`. */
  braces: number[];
}

/**
 * Returns the spans of the AWS secret access keys in `text`, in order, as the module
 * comment describes.
 *
 * @example
 * findAwsSecretKeys('AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
 * // [{ start: 21, end: 61 }]
 */
export function findAwsSecretKeys(text: string): TextSpan[] {
  // Without a key id or a label only a key alone on its line can count.
  const aloneOnly = !CONTEXT_HINT.test(text);
  const candidates = scanCandidates(text, aloneOnly);
  if (candidates.length === 0) {
    return [];
  }
  const keyIds = aloneOnly ? [] : spansOf(ACCESS_KEY_ID, text);
  const labels = aloneOnly ? [] : spansOf(SECRET_KEY_LABEL, text);
  const context: KeyContext = {
    text,
    keyIds,
    keyIdStarts: keyIds.map((span) => span.start),
    labels,
    labelStarts: labels.map((span) => span.start),
    newlines: positionsOf(text, '\n'),
    braces: aloneOnly
      ? []
      : [...positionsOf(text, '{'), ...positionsOf(text, '}')].sort((a, b) => a - b),
  };
  return candidates
    .filter(
      (token) =>
        (!aloneOnly && (followsLabel(context, token) || isNearKeyId(context, token))) ||
        isAloneOnLine(context, token),
    )
    .map(({ start, end }) => ({ start, end }));
}

/**
 * A whole 40-character token of the base64 alphabet. The lookbehind allows `=` before it,
 * as in `KEY=…`, and the lookahead rejects `=` after it, which is base64 padding.
 */
const CANDIDATE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** A line that is one such token, with spaces or tabs around it. */
const ALONE_ON_LINE = /^[ \t]*[A-Za-z0-9/+]{40}[ \t\r]*$/gm;

/**
 * Returns the candidate tokens that are not all hex digits: every whole 40-character token,
 * or with `aloneOnly` only those alone on a line, whose line-anchored search takes about a
 * tenth of the time on 1 MiB of code or base64. Each token's character classes are read in
 * one pass over its 40 characters, without copying it.
 */
function scanCandidates(text: string, aloneOnly: boolean): Candidate[] {
  const pattern = aloneOnly ? ALONE_ON_LINE : CANDIDATE;
  const candidates: Candidate[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    let start = match.index;
    while ((classOf(text, start) & BASE64) === 0) {
      // Skip the indent that ALONE_ON_LINE matched.
      start += 1;
    }
    let classes = 0;
    let allHex = true;
    for (let index = start; index < start + KEY_LENGTH; index += 1) {
      const charClasses = classOf(text, index);
      classes |= charClasses;
      allHex &&= (charClasses & HEX) !== 0;
    }
    if (!allHex) {
      candidates.push({ start, end: start + KEY_LENGTH, classes });
    }
  }
  return candidates;
}

/** Returns the positions of `char` in `text`, in order. */
function positionsOf(text: string, char: string): number[] {
  const positions: number[] = [];
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
    positions.push(at);
  }
  return positions;
}

function followsLabel(context: KeyContext, token: TextSpan): boolean {
  const label = context.labels[firstAtOrAfter(context.labelStarts, token.start) - 1];
  return (
    label !== undefined &&
    token.start - label.end <= MAX_LABEL_GAP &&
    !containsBetween(context.newlines, label.end, token.start)
  );
}

function isNearKeyId(context: KeyContext, token: TextSpan): boolean {
  const { text, keyIds, newlines, braces } = context;
  // Only the nearest access key id on each side can pair with the token.
  const after = firstAtOrAfter(context.keyIdStarts, token.start);
  for (const keyId of [keyIds[after - 1], keyIds[after]]) {
    if (keyId === undefined) {
      continue;
    }
    const from = Math.min(keyId.end, token.end);
    const to = Math.max(keyId.start, token.start);
    if (to - from > MAX_PAIR_DISTANCE) {
      continue;
    }
    if (!containsBetween(newlines, from, to)) {
      return true;
    }
    if (!containsBetween(braces, from, to) && isQuoted(text, keyId) && isQuoted(text, token)) {
      return true;
    }
  }
  return false;
}

function isAloneOnLine(context: KeyContext, token: Candidate): boolean {
  const { text, newlines } = context;
  const line = lineAround(newlines, text.length, token.start);
  // The indent is bounded so that a long line is not read once per token on it.
  if (token.start - line.start > MAX_INDENT || line.end - token.end > MAX_INDENT) {
    return false;
  }
  if (!isBlank(text, line.start, token.start) || !isBlank(text, token.end, line.end)) {
    return false;
  }
  const mixed = UPPER | LOWER | DIGIT;
  if ((token.classes & mixed) !== mixed) {
    return false;
  }
  // The last line of a wrapped base64 block, such as a PEM certificate, can be 40 characters long.
  const previous = line.start === 0 ? undefined : lineAround(newlines, text.length, line.start - 1);
  const next =
    line.end === text.length ? undefined : lineAround(newlines, text.length, line.end + 1);
  return [previous, next].every(
    (neighbour) => neighbour === undefined || !isWrappedBase64Line(text, neighbour),
  );
}

/** Checks whether `text` holds only whitespace from `start` to `end`, as `String.trim` reads it. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    if (!WHITESPACE.test(text[index] ?? '')) {
      return false;
    }
  }
  return true;
}

const WHITESPACE = /^\s$/;

/**
 * Checks whether a line is part of a wrapped base64 block, such as PEM (64 characters) or MIME
 * (76): whitespace, at least 40 base64 characters, at most two `=` and whitespace.
 */
function isWrappedBase64Line(text: string, line: TextSpan): boolean {
  let index = line.start;
  while (index < line.end && isBlank(text, index, index + 1)) {
    index += 1;
  }
  const start = index;
  while (index < line.end && (classOf(text, index) & BASE64) !== 0) {
    index += 1;
  }
  if (index - start < KEY_LENGTH) {
    return false;
  }
  for (let padding = 0; padding < 2 && text[index] === '=' && index < line.end; padding += 1) {
    index += 1;
  }
  return isBlank(text, index, line.end);
}

/** Returns the line that contains `position`, without its `\n`. */
function lineAround(newlines: readonly number[], length: number, position: number): TextSpan {
  const index = firstAtOrAfter(newlines, position);
  return {
    start: index === 0 ? 0 : (newlines[index - 1] ?? -1) + 1,
    end: newlines[index] ?? length,
  };
}

function isQuoted(text: string, span: TextSpan): boolean {
  return text[span.start - 1] === '"' && text[span.end] === '"';
}

function spansOf(pattern: RegExp, text: string): TextSpan[] {
  const spans: TextSpan[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    spans.push({ start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** Returns the index of the first sorted position at or after `position`. */
function firstAtOrAfter(positions: readonly number[], position: number): number {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((positions[middle] ?? Infinity) < position) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/** Returns true when sorted `positions` has an entry in `[from, to)`. */
function containsBetween(positions: readonly number[], from: number, to: number): boolean {
  return (positions[firstAtOrAfter(positions, from)] ?? Infinity) < to;
}
