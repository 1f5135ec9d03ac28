/**
 * Reads the command that a platform CLI runs on a remote machine, or with a remote service's
 * environment: `fly ssh console -C CMD`, `heroku run CMD`, `railway run CMD` and
 * `gcloud compute ssh VM --command CMD`. The command is judged as if it ran here, so
 * `heroku run printenv` prints an environment like `printenv` does.
 */
import { optionValue } from './options.js';

/** Programs whose remote-run subcommands {@link remoteRunCommand} reads. */
export const REMOTE_RUN_PROGRAMS = ['fly', 'flyctl', 'heroku', 'railway', 'gcloud'] as const;

/** A command that a platform CLI runs remotely. */
export interface RemoteRun {
  /** The subcommand that runs it, such as `fly ssh console` or `heroku run`. */
  label: string;
  /** The app, service or machine named by the call ('' when it names none). */
  target: string;
  /** The remote command as shell text. */
  text: string;
}

/** `heroku run` and `railway run` options that take the next word as their value. */
const RUN_VALUED = new Set([
  '-a',
  '--app',
  '-r',
  '--remote',
  '-s',
  '--size',
  '-e',
  '--env',
  '--type',
  '--service',
  '--environment',
  '-p',
  '--project',
]);

/** `heroku run` options that the CLI also reads after the command's words. */
const HEROKU_APP_OPTIONS = new Set(['-a', '--app', '-r', '--remote']);

/** Returns the command that `argv` runs remotely, or undefined when it runs none. */
export function remoteRunCommand(argv: readonly string[]): RemoteRun | undefined {
  const program = argv[0]?.replace(/^.*\//, '') ?? '';
  const args = argv.slice(1);
  switch (program) {
    case 'fly':
    case 'flyctl': {
      if (args[0] !== 'ssh' || args[1] !== 'console') {
        return undefined;
      }
      const text = optionValue(args, ['-C', '--command']);
      const target = optionValue(args, ['-a', '--app']) ?? '';
      return text === undefined ? undefined : { label: 'fly ssh console', target, text };
    }
    case 'gcloud': {
      const at = args.indexOf('ssh');
      if (at < 1 || args[at - 1] !== 'compute') {
        return undefined;
      }
      const text = optionValue(args, ['--command']);
      const target = args.slice(at + 1).find((arg) => !arg.startsWith('-')) ?? '';
      return text === undefined ? undefined : { label: 'gcloud compute ssh', target, text };
    }
    case 'heroku':
    case 'railway':
      return runSubcommand(program, args);
    default:
      return undefined;
  }
}

/** Reads `heroku run [OPTIONS] CMD...` and `railway run [OPTIONS] CMD...`. */
function runSubcommand(program: string, args: readonly string[]): RemoteRun | undefined {
  const at = args.findIndex((arg) => arg === 'run' || arg === 'run:detached');
  if (at < 0) {
    return undefined;
  }
  let index = at + 1;
  while ((args[index] ?? '').startsWith('-') && args[index] !== '--') {
    index += RUN_VALUED.has(args[index] ?? '') ? 2 : 1;
  }
  if (args[index] === '--') {
    index += 1;
  }
  let words = args.slice(index);
  if (program === 'heroku' && args[index - 1] !== '--') {
    // `heroku run printenv -a web`: the CLI reads its own options after the command too.
    words = words.filter(
      (word, at) => !HEROKU_APP_OPTIONS.has(word) && !HEROKU_APP_OPTIONS.has(words[at - 1] ?? ''),
    );
  }
  if (words.length === 0) {
    return undefined;
  }
  const target = optionValue(args, ['-a', '--app']) ?? optionValue(args, ['-s', '--service']) ?? '';
  return { label: `${program} run`, target, text: words.join(' ') };
}

/** Splits remote shell text at `|`, `;` and `&` into simple commands, each as its words. */
export function remoteCommandWords(text: string): string[][] {
  return text
    .split(/[|;&\n]+/)
    .map((part) =>
      part
        .trim()
        .split(/\s+/)
        .map((word) => word.replace(/^['"]+|['"]+$/g, ''))
        .filter((word) => word !== ''),
    )
    .map((words) => (words[0] === 'sudo' ? words.slice(1) : words))
    .filter((words) => words.length > 0);
}
