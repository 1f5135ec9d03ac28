/**
 * `vercel env pull .env.local --environment=development`: the documented way to set up a
 * local checkout from the platform's development variables. The values go into the project's
 * own env file, not to the output, and the development environment holds what a developer's
 * machine runs with. Pulls of preview or production values, pulls into files outside the
 * project and pulls nobody asked for stay blocked as secret printing.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Options of `vercel env pull` that change nothing about where the values go. */
const HARMLESS_OPTION = /^(?:--yes|-y|--debug|-d|--cwd=[\w./-]+)$/;

/** A request to set up or refresh the local environment from the platform. */
const LOCAL_SETUP_REQUEST =
  /\b(?:set ?up|pull\w*|sync\w*|refresh\w*|load\w*|populat\w*|fill\w*|creat\w*|get)\b.*\b(?:local|dev|development)\b|\b(?:local|dev|development)\b.*\b(?:set ?up|pull\w*|sync\w*|refresh\w*|load\w*|populat\w*|fill\w*)\b/i;

/**
 * Checks whether `command` is `vercel env pull` of the development environment (the default)
 * into a `.env` file of the project, after a request that names Vercel and asks to set up the
 * local or development environment.
 */
export function pullsRequestedDevelopmentEnvironment(
  command: SimpleCommand,
  messages: string,
): boolean {
  const args = command.argv.slice(1);
  if (command.name !== 'vercel' || command.dynamic || args[0] !== 'env' || args[1] !== 'pull') {
    return false;
  }
  const operands: string[] = [];
  for (let index = 2; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--environment' || arg === '-e') {
      if (args[index + 1] !== 'development') {
        return false;
      }
      index += 1;
    } else if (arg.startsWith('--environment=')) {
      if (arg !== '--environment=development') {
        return false;
      }
    } else if (arg.startsWith('-')) {
      if (!HARMLESS_OPTION.test(arg)) {
        return false;
      }
    } else {
      operands.push(arg);
    }
  }
  // With no file named, vercel writes `.env.local` in the current folder.
  const file = operands[0] ?? '.env.local';
  return (
    operands.length <= 1 &&
    /^(?:\.\/)?\.env(?:\.[\w-]+)*$/.test(file) &&
    containsWord(messages, 'vercel') &&
    asksWithout(LOCAL_SETUP_REQUEST, messages)
  );
}
