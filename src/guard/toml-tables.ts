/**
 * The TOML reader of the task files that runners keep their tasks in (pyproject.toml,
 * pixi.toml, mise.toml, Makefile.toml, hatch.toml), on top of smol-toml (TOML 1.0).
 * Task readers only need strings, so numbers, booleans and dates are kept as their text.
 */
import { parse, TomlError as ParseError } from 'smol-toml';

/** A TOML value: a string (numbers, booleans and dates as written), an array or a table. */
export type TomlValue = string | TomlValue[] | TomlTable;
/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** Raised for text that is not valid TOML, with the line and column it failed at. */
export class TomlError extends Error {}

/** Parses `text` as TOML, or raises a {@link TomlError} that names where it failed. */
export function parseToml(text: string): TomlTable {
  let root: unknown;
  try {
    root = parse(text);
  } catch (error) {
    if (error instanceof ParseError) {
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
      throw new TomlError(`invalid TOML at line ${error.line}, column ${error.column}: ${reason}`);
    }
    throw error;
  }
  return asStrings(root) as TomlTable;
}

/** Returns `value` with every scalar replaced by its text. */
function asStrings(value: unknown): TomlValue {
  if (Array.isArray(value)) {
    return value.map(asStrings);
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (value !== null && typeof value === 'object') {
    const table: TomlTable = {};
    for (const [key, item] of Object.entries(value)) {
      table[key] = asStrings(item);
    }
    return table;
  }
  return String(value);
}
