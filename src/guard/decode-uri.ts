/**
 * Returns `text` with its percent escapes decoded, or `text` as it is when an escape is
 * malformed (`%E0%A4%A`), so a check reads what it can instead of throwing.
 */
export function decodeUriSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
