/**
 * The only module that writes to the terminal. Commands print through these functions so
 * that `--json` mode can keep stdout to one JSON document.
 */
import ora from 'ora';
import pc from 'picocolors';
import { SandstackApiError, SandstackConnectionError } from '../client/errors.js';
import { isSandstackError } from '../core/errors.js';

/** Writes a line of human-readable output to stdout. */
export function printLine(text = ''): void {
  console.log(text);
}

/**
 * Escapes control characters and bidirectional overrides as `\xNN` or `\u{NNNN}`, so text
 * that an agent or a tool chose cannot move the cursor, erase lines or reorder a table line.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Writes a value as one JSON document to stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Writes a command's raw output to the same stream of this process, as it arrives. */
export function writeRaw(stream: 'stdout' | 'stderr', data: Uint8Array): void {
  process[stream].write(data);
}

/** Writes a warning to stderr. */
export function printWarning(text: string): void {
  console.error(pc.yellow(`warning: ${text}`));
}

/**
 * Reports a failed command on stderr (or as JSON on stdout) and returns the exit code:
 * 1 for input the user can fix, 2 for faults of sandstack or the host.
 */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof SandstackApiError || error instanceof SandstackConnectionError) {
    return reportRemoteError(error, json);
  }
  const known = isSandstackError(error);
  const code = known ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = known && error.kind === 'user' ? 1 : 2;

  if (json) {
    console.log(JSON.stringify({ error: { code, message } }, null, 2));
    return exitCode;
  }
  console.error(`${pc.red('error')} ${pc.dim(`[${code}]`)} ${message}`);
  if (!known && error instanceof Error && error.stack !== undefined) {
    console.error(pc.dim(error.stack));
  }
  return exitCode;
}

/**
 * Reports an error from a remote server: 1 for a 4xx or an unreachable server, which the
 * user can act on, and 2 for a 5xx. The server's message already says what to do.
 */
function reportRemoteError(
  error: SandstackApiError | SandstackConnectionError,
  json: boolean,
): number {
  const status = error instanceof SandstackApiError ? error.status : undefined;
  const exitCode = status !== undefined && status >= 500 ? 2 : 1;
  const message =
    error instanceof SandstackApiError ? (error.cliMessage ?? error.message) : error.message;
  if (json) {
    const quota = error instanceof SandstackApiError ? error.quota : undefined;
    const body = {
      code: error.code,
      message,
      ...(status === undefined ? {} : { status }),
      ...(quota === undefined ? {} : { quota }),
    };
    console.log(JSON.stringify({ error: body }, null, 2));
    return exitCode;
  }
  const label = status === undefined ? error.code : `${error.code}, HTTP ${status}`;
  console.error(`${pc.red('error')} ${pc.dim(`[${label}]`)} ${message}`);
  return exitCode;
}

/** A status line that animates on a terminal and stays silent elsewhere. */
export interface Spinner {
  update(text: string): void;
  /** Clears the line, runs `print`, and redraws the line below what was printed. */
  interrupt(print: () => void): void;
  stop(): void;
}

/** Creates a spinner on stderr when it is a terminal; otherwise a no-op. */
export function createSpinner(enabled: boolean): Spinner {
  if (!enabled || process.stderr.isTTY !== true) {
    return { update: () => undefined, interrupt: (print) => print(), stop: () => undefined };
  }
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  return {
    update: (text) => {
      spinner.text = text;
      if (!spinner.isSpinning) {
        spinner.start();
      }
    },
    interrupt: (print) => {
      const wasSpinning = spinner.isSpinning;
      spinner.clear();
      print();
      if (wasSpinning) {
        spinner.render();
      }
    },
    stop: () => {
      spinner.stop();
    },
  };
}
