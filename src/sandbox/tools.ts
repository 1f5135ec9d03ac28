import { z } from 'zod';
import { isSandstackError } from '../core/errors.js';
import { shellQuote } from './drivers/shared.js';
import type { SandboxInstance } from './types.js';

/**
 * One Claude Code tool call (`Bash`, `Read`, `Write`, `Edit`, `Glob`, `Grep`), typed here by
 * shape so that the sandbox layer needs nothing from the guard.
 */
export interface SandboxToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/** Result of one tool call, in the form an agent reads it. */
export interface SandboxToolResult {
  ok: boolean;
  output: string;
  exitCode?: number;
  error?: string;
}

/** Options for {@link runTool}. */
export interface RunToolOptions {
  /** Folder for `Bash` commands and for relative paths in `Glob` and `Grep`. */
  workdir: string;
}

/** Lines `Read` returns when the call gives no limit, as Claude Code does. */
export const READ_DEFAULT_LIMIT = 2000;

/** Characters kept per line by `Read`; longer lines are cut. */
export const READ_MAX_LINE_CHARS = 2000;

/** Largest `Bash` timeout a call may ask for, in milliseconds. */
export const BASH_MAX_TIMEOUT_MS = 600_000;

/** Paths `Glob` and `Grep` return at most. */
const MAX_MATCHES = 1000;

const SCHEMAS = {
  Bash: z.object({
    command: z.string().min(1),
    timeout: z.number().int().positive().max(BASH_MAX_TIMEOUT_MS).optional(),
  }),
  Read: z.object({
    file_path: z.string().min(1),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().positive().optional(),
  }),
  Write: z.object({ file_path: z.string().min(1), content: z.string() }),
  Edit: z.object({
    file_path: z.string().min(1),
    old_string: z.string().min(1),
    new_string: z.string(),
    replace_all: z.boolean().optional(),
  }),
  Glob: z.object({ pattern: z.string().min(1), path: z.string().min(1).optional() }),
  Grep: z.object({
    pattern: z.string().min(1),
    path: z.string().min(1).optional(),
    glob: z.string().min(1).optional(),
    '-i': z.boolean().optional(),
    output_mode: z.enum(['content', 'files_with_matches', 'count']).optional(),
  }),
} as const;

type ToolName = keyof typeof SCHEMAS;

/**
 * Runs one Claude Code tool call against a sandbox. A failing tool returns `ok: false`, for
 * example after a non-zero exit, a missing file or an `old_string` that is not unique. Only
 * a broken sandbox or host throws.
 *
 * @example
 * const result = await runTool(sandbox, { tool: 'Read', input: { file_path: 'README.md' } }, { workdir: '/workspace' });
 */
export async function runTool(
  sandbox: SandboxInstance,
  call: SandboxToolCall,
  options: RunToolOptions,
): Promise<SandboxToolResult> {
  if (!(call.tool in SCHEMAS)) {
    return failure(`Unknown tool "${call.tool}"; use one of ${Object.keys(SCHEMAS).join(', ')}`);
  }
  const parsed = SCHEMAS[call.tool as ToolName].safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`,
    );
    return failure(`Invalid input for ${call.tool}: ${issues.join('; ')}`);
  }
  try {
    const result = await TOOLS[call.tool as ToolName](sandbox, parsed.data as never, options);
    // Every tool reports an exit code, as a shell would, so callers can treat calls alike.
    return { ...result, exitCode: result.exitCode ?? (result.ok ? 0 : 1) };
  } catch (error) {
    if (isSandstackError(error) && error.kind === 'user') {
      return failure(error.message);
    }
    throw error;
  }
}

type ToolRunner<T> = (
  sandbox: SandboxInstance,
  input: T,
  options: RunToolOptions,
) => Promise<SandboxToolResult>;

const TOOLS: { [K in ToolName]: ToolRunner<z.infer<(typeof SCHEMAS)[K]>> } = {
  Bash: async (sandbox, input, options) => {
    // Agents write bash (pipefail, arrays, [[ ]]), so bash runs the command where the root
    // filesystem has it; /bin/sh is the fallback.
    const quoted = shellQuote(input.command);
    const result = await sandbox.exec({
      command: `if command -v bash >/dev/null 2>&1; then exec bash -c ${quoted}; fi; exec /bin/sh -c ${quoted}`,
      cwd: options.workdir,
      // An agent's timeout may shorten the template's command timeout but not extend it.
      ...(input.timeout === undefined
        ? {}
        : { timeoutMs: Math.min(input.timeout, sandbox.commandTimeoutMs) }),
    });
    const output =
      joinOutput(result.stdout, result.stderr) +
      (result.outputTruncated ? '\n[output truncated]' : '');
    const ok = result.exitCode === 0 && !result.timedOut;
    return {
      ok,
      output,
      exitCode: result.exitCode,
      ...(ok
        ? {}
        : {
            error: result.timedOut
              ? 'Command timed out'
              : `Command exited with code ${result.exitCode}`,
          }),
    };
  },

  Read: async (sandbox, input) => {
    const text = (await sandbox.readFile(input.file_path)).toString('utf8');
    if (text === '') {
      return {
        ok: true,
        output: '<system-reminder>The file exists but is empty.</system-reminder>',
      };
    }
    return {
      ok: true,
      output: numberLines(text, input.offset ?? 1, input.limit ?? READ_DEFAULT_LIMIT),
    };
  },

  Write: async (sandbox, input) => {
    await sandbox.writeFile(input.file_path, input.content);
    return { ok: true, output: `File written successfully at: ${input.file_path}` };
  },

  Edit: async (sandbox, input) => {
    if (input.old_string === input.new_string) {
      return failure('old_string and new_string are the same; give a different new_string');
    }
    const text = (await sandbox.readFile(input.file_path)).toString('utf8');
    const count = text.split(input.old_string).length - 1;
    if (count === 0) {
      return failure(
        `old_string was not found in ${input.file_path}; read the file and copy the text exactly`,
      );
    }
    if (count > 1 && input.replace_all !== true) {
      return failure(
        `old_string occurs ${count} times in ${input.file_path}; add context to make it unique or set replace_all`,
      );
    }
    const updated =
      input.replace_all === true
        ? text.split(input.old_string).join(input.new_string)
        : text.replace(input.old_string, () => input.new_string);
    await sandbox.writeFile(input.file_path, updated);
    const replaced = input.replace_all === true ? `${count} occurrences` : '1 occurrence';
    return {
      ok: true,
      output: `The file ${input.file_path} has been updated (${replaced} replaced).`,
    };
  },

  Glob: async (sandbox, input, options) => {
    const script = [
      'import glob, os, sys',
      'root = os.path.abspath(os.environ["GLOB_ROOT"])',
      'names = glob.glob(os.environ["GLOB_PATTERN"], root_dir=root, recursive=True)',
      'paths = [os.path.join(root, n) for n in names if os.path.isfile(os.path.join(root, n))]',
      'paths.sort(key=lambda p: os.path.getmtime(p), reverse=True)',
      `print("\\n".join(paths[:${MAX_MATCHES}]))`,
    ].join('\n');
    const result = await sandbox.exec({
      command: `python3 -c ${shellQuote(script)}`,
      cwd: options.workdir,
      env: { GLOB_ROOT: input.path ?? options.workdir, GLOB_PATTERN: input.pattern },
    });
    if (result.exitCode !== 0) {
      return {
        ok: false,
        output: result.stderr,
        exitCode: result.exitCode,
        error: `Glob failed: ${lastLine(result.stderr)}`,
      };
    }
    return {
      ok: true,
      output: result.stdout.trim() === '' ? 'No files found' : result.stdout.trimEnd(),
    };
  },

  Grep: async (sandbox, input, options) => {
    const mode = input.output_mode ?? 'files_with_matches';
    const flags = ['-r', '-P', '-I', '--exclude-dir=.git'];
    const modeFlags = { content: '-n', count: '-c', files_with_matches: '-l' } as const;
    flags.push(modeFlags[mode]);
    if (input['-i'] === true) {
      flags.push('-i');
    }
    if (input.glob !== undefined) {
      flags.push(`--include=${input.glob}`);
    }
    const words = [...flags, '-e', input.pattern, '--', input.path ?? '.']
      .map(shellQuote)
      .join(' ');
    const filter = mode === 'count' ? " | grep -v ':0$'" : '';
    const result = await sandbox.exec({
      command: `grep ${words}${filter} | head -n ${MAX_MATCHES * 10}`,
      cwd: options.workdir,
    });
    if (result.stdout.trim() === '') {
      const failed = result.stderr.trim() !== '';
      return failed
        ? { ok: false, output: result.stderr, error: `Grep failed: ${lastLine(result.stderr)}` }
        : { ok: true, output: 'No matches found' };
    }
    return { ok: true, output: result.stdout.trimEnd() };
  },
};

/** Formats lines like `cat -n`: the 1-based number right-aligned in 6 columns, a tab, the line. */
export function numberLines(text: string, offset: number, limit: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') {
    lines.pop();
  }
  const first = Math.max(1, offset);
  return lines
    .slice(first - 1, first - 1 + limit)
    .map((line, index) => {
      const cut = line.length > READ_MAX_LINE_CHARS ? line.slice(0, READ_MAX_LINE_CHARS) : line;
      return `${String(first + index).padStart(6)}\t${cut}`;
    })
    .join('\n');
}

function joinOutput(stdout: string, stderr: string): string {
  if (stderr === '') {
    return stdout;
  }
  return stdout === '' ? stderr : `${stdout}${stdout.endsWith('\n') ? '' : '\n'}${stderr}`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

function failure(error: string): SandboxToolResult {
  return { ok: false, output: error, exitCode: 1, error };
}
