import { SandstackError } from '../../core/errors.js';

/**
 * Largest single argument Linux accepts (MAX_ARG_STRLEN, 32 pages of 4 KiB). The whole
 * script travels as the one argument of `/bin/sh -c`, so stdin and the command must fit.
 */
export const MAX_SCRIPT_BYTES = 128 * 1024;

/** Exit code GNU `timeout` returns when it stopped the command. */
export const TIMEOUT_EXIT_CODE = 124;

/** Inputs of {@link buildExecLine}: one command with its directory, environment and stdin. */
export interface ExecScriptOptions {
  command: string;
  /** Directory to `cd` into first; omitted means the runtime's own working directory. */
  cwd?: string;
  env: Record<string, string>;
  stdin?: string | Uint8Array;
  timeoutMs: number;
}

/** Quotes `value` for a POSIX shell and for Python's `shlex.split`, which share the rules. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds the command line sent to the runtime's `/execute`. That endpoint splits its input
 * with `shlex.split` and runs the words without a shell, with no stdin, environment or time
 * limit of ours, so the line is `/bin/sh -c <script>` and the script sets those up itself.
 * It uses coreutils `timeout` when the image has it. Without it, only the HTTP request times
 * out, so the command may keep running in the pod.
 *
 * @throws {SandstackError} INVALID_ARGUMENT when the script exceeds {@link MAX_SCRIPT_BYTES}.
 */
export function buildExecLine(options: ExecScriptOptions): string {
  const lines: string[] = [];
  if (options.cwd !== undefined) {
    lines.push(`cd -- ${shellQuote(options.cwd)} || exit 125`);
  }
  for (const [name, value] of Object.entries(options.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Environment variable name "${name}" is invalid; use letters, digits and _ only`,
      );
    }
    lines.push(`export ${name}=${shellQuote(value)}`);
  }

  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  const input = stdinPrefix(options.stdin);
  const command = shellQuote(options.command);
  lines.push(
    'if command -v timeout >/dev/null 2>&1; then',
    `  ${input}timeout -k 2 ${seconds} /bin/sh -c ${command}${input === '' ? ' </dev/null' : ''}`,
    'else',
    `  ${input}/bin/sh -c ${command}${input === '' ? ' </dev/null' : ''}`,
    'fi',
  );

  const script = lines.join('\n');
  if (Buffer.byteLength(script) > MAX_SCRIPT_BYTES) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Command with its stdin and environment is ${Buffer.byteLength(script)} bytes, over the ${MAX_SCRIPT_BYTES}-byte limit of one command line; write large input to a file with writeFile first`,
    );
  }
  return `/bin/sh -c ${shellQuote(script)}`;
}

function stdinPrefix(stdin: string | Uint8Array | undefined): string {
  if (stdin === undefined) {
    return '';
  }
  const encoded = Buffer.from(stdin).toString('base64');
  return `printf %s ${shellQuote(encoded)} | base64 -d | `;
}
