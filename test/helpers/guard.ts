/**
 * Shared setup of guard tests: a project at `/home/dev/project` in the home folder
 * `/home/dev`, and a fresh guard per decision, so no test's denials count toward another
 * test's session backstop.
 */
import { execFileSync } from 'node:child_process';
import { createGuard } from '../../src/guard/guard.js';
import { parseShell, type SimpleCommand } from '../../src/guard/shell.js';
import type { Decision, GuardContext, ToolCall } from '../../src/guard/types.js';

export const PROJECT_DIR = '/home/dev/project';
export const HOME_DIR = '/home/dev';

/** Returns a context in the project with `messages` as the user's messages. */
export function guardContext(
  messages: string | readonly string[] = [],
  overrides: Partial<GuardContext> = {},
): GuardContext {
  return {
    cwd: PROJECT_DIR,
    projectDir: PROJECT_DIR,
    homeDir: HOME_DIR,
    userMessages: typeof messages === 'string' ? [messages] : [...messages],
    ...overrides,
  };
}

/** Decides one tool call with a fresh default guard. */
export function decideCall(
  call: ToolCall,
  messages: string | readonly string[] = [],
  overrides: Partial<GuardContext> = {},
): Promise<Decision> {
  return createGuard().decide(call, guardContext(messages, overrides));
}

/** Decides one Bash command with a fresh default guard. */
export function decideBash(
  command: string,
  messages: string | readonly string[] = [],
  overrides: Partial<GuardContext> = {},
): Promise<Decision> {
  return decideCall({ tool: 'Bash', input: { command } }, messages, overrides);
}

/** Returns only the verdict of {@link decideBash}. */
export async function bashVerdict(
  command: string,
  messages: string | readonly string[] = [],
  overrides: Partial<GuardContext> = {},
): Promise<Decision['verdict']> {
  return (await decideBash(command, messages, overrides)).verdict;
}

/** Parses `command` in the project and returns its first simple command. */
export async function firstCommand(command: string): Promise<SimpleCommand> {
  const parsed = await parseShell(command, { homeDir: HOME_DIR, cwd: PROJECT_DIR });
  const first = parsed.commands[0];
  if (first === undefined) {
    throw new Error(`no simple command in ${command}`);
  }
  return first;
}

/** Returns a simple command of plain words `argv`, without redirects, wrappers or assignments. */
export function simpleCommand(...argv: string[]): SimpleCommand {
  return {
    argv,
    name: argv[0] ?? '',
    wrappers: [],
    assignments: [],
    redirects: [],
    dynamic: false,
    via: [],
    background: false,
    text: argv.join(' '),
  };
}

/** Runs `line` in real bash and returns the words its last command prints, one per `<…>`. */
export function bashWords(line: string): string[] {
  const output = execFileSync('bash', ['--norc', '--noprofile', '-c', line], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: HOME_DIR },
    cwd: '/',
  });
  return [...output.matchAll(/<([^>]*)>/g)].map((match) => match[1] ?? '');
}

/** Returns the arguments the parser gives the line's last command, which is `printf '<%s>' …`. */
export async function parsedWords(line: string): Promise<{ words: string[]; dynamic: boolean }> {
  const parsed = await parseShell(line, { homeDir: HOME_DIR, cwd: PROJECT_DIR });
  const last = parsed.commands.at(-1);
  return { words: last?.argv.slice(2) ?? [], dynamic: last?.dynamic ?? true };
}
