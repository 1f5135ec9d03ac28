/**
 * Formatting of times, durations, sizes and money for the dashboard's tables.
 */

/** Formats a duration in milliseconds as "850 ms", "4.2 s" or "3 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '–';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Formats a time as the local clock time, with the date when it is not today. */
export function formatTime(value: number | string | null | undefined): string {
  if (value === null || value === undefined) {
    return '–';
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString()
    : `${date.toLocaleDateString()} ${date.toLocaleTimeString()}`;
}

/** Formats how long ago a time was: "5 s ago", "3 min ago". */
export function formatAgo(ms: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  return `${Math.floor(seconds / 3600)} h ago`;
}

/** Formats bytes as KiB, MiB or GiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Formats US dollars, with more digits for the tiny sums a few sandbox-seconds cost. */
export function formatDollars(value: number): string {
  if (value === 0) {
    return '$0';
  }
  if (value < 0.01) {
    return `$${value.toPrecision(2)}`;
  }
  return `$${value.toFixed(2)}`;
}

/** Formats a number with at most `digits` decimals. */
export function formatNumber(value: number, digits = 2): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** Formats a tool input for display: the command of a Bash call, else the JSON. */
export function formatInput(input: Record<string, unknown>): string {
  const command = input['command'];
  if (typeof command === 'string' && Object.keys(input).length === 1) {
    return command;
  }
  return JSON.stringify(input, null, 2);
}

/** Shortens a content hash or long id for a table cell. */
export function shortId(id: string, length = 12): string {
  return id.length > length ? `${id.slice(0, length)}…` : id;
}
