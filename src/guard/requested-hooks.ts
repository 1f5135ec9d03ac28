/**
 * Git hooks the user asked for whose body runs only the project's own commands: a
 * `.git/hooks/pre-commit` of `npm run lint` on "Add a git pre-commit hook that runs npm run
 * lint". Package scripts, build tools, linters and test runners of the project, read-only git
 * commands and scripts inside the project count. A line that fetches or sends (a URL, a
 * network client), pipes or redirects keeps the git-hook question. So does a line that
 * expands a variable other than the hook's arguments or runs a file outside the project,
 * and so does a hook that no request names. Only new hooks written whole are covered.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Client-side hooks that git runs on the user's own commands. */
const HOOK_NAMES = new Set([
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-push',
  'pre-rebase',
  'post-checkout',
  'post-merge',
]);
const HOOK_VERBS = String.raw`add\w*|creat\w*|install\w*|set\w* up|writ\w*|mak\w*`;
/** Programs that run the project's scripts, builds, linters and tests. */
const PROJECT_TOOLS = new Set([
  'npm',
  'pnpm',
  'yarn',
  'bun',
  'make',
  'cargo',
  'go',
  'gofmt',
  'pytest',
  'ruff',
  'black',
  'isort',
  'flake8',
  'mypy',
  'pylint',
  'tox',
  'nox',
  'eslint',
  'prettier',
  'tsc',
  'rubocop',
  'mvn',
  'gradle',
  'dotnet',
  'mix',
  'swift',
  'swiftlint',
  'clang-format',
  'shellcheck',
  'echo',
  'printf',
  'test',
  'grep',
  'exit',
  'set',
]);
/** Package-manager verbs that install or fetch rather than run the project's scripts. */
const FETCHING_VERBS = /^(?:install|i|add|ci|update|upgrade|dlx|exec|x|create|publish|get)$/;
/** git subcommands that only read the repository or stage files of it. */
const GIT_READS = /^(?:diff|diff-index|status|rev-parse|ls-files|log|show|add|symbolic-ref)$/;
/** Shell text that pipes, redirects, substitutes, fetches or leaves the project. */
const UNSAFE_TEXT = /[|<>`]|\$\(|:\/\/|\.\.|(?:^|\s)~/;

/** Checks that one command of a hook line runs only a project command. */
function isProjectCommand(words: readonly string[]): boolean {
  const [program = '', first = ''] = words;
  // Only the hook's own arguments and exit status may be expanded.
  if (
    words.some((word) => /\$(?!(?:[1-9@#?]|\{[1-9@#?]\})(?!\w))/.test(word.replace(/["']/g, '')))
  ) {
    return false;
  }
  if (program === 'git') {
    return GIT_READS.test(first);
  }
  if (program === 'python' || program === 'python3') {
    return first === '-m' && PROJECT_TOOLS.has(words[2] ?? '');
  }
  if (/^\.\/[\w./-]+$/.test(program)) {
    return true;
  }
  if (!PROJECT_TOOLS.has(program)) {
    return false;
  }
  return !(['npm', 'pnpm', 'yarn', 'bun', 'go'].includes(program) && FETCHING_VERBS.test(first));
}

/** Checks that every line of a hook body runs only project commands. */
function runsOnlyProjectCommands(content: string): boolean {
  const lines = content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return (
    lines.length > 0 &&
    lines.every(
      (line) =>
        // Go's package pattern `./...` (or `./pkg/...`) names the project's packages.
        !UNSAFE_TEXT.test(line.replace(/\.\.\.(?=\s|$)/g, '')) &&
        line
          .split(/&&|\|\||;/)
          .map((part) => part.trim().replace(/^exec\s+/, ''))
          .filter((part) => part !== '')
          .every((part) => isProjectCommand(part.split(/\s+/))),
    )
  );
}

/**
 * Checks whether a new hook `relative` (such as `.git/hooks/pre-commit`) with body `content`
 * is one the user asked for by name and runs only project commands.
 */
export function writesRequestedHook(relative: string, content: string, messages: string): boolean {
  const name = relative.replace(/^\.git\/hooks\//, '');
  return (
    HOOK_NAMES.has(name) &&
    requestsVerb(HOOK_VERBS, messages).some(
      (request) => /\bhook\b/i.test(request) && containsWord(request, name),
    ) &&
    runsOnlyProjectCommands(content)
  );
}

/** `install -m MODE` modes that set no setuid, setgid or sticky bit. */
const PLAIN_MODE = /^0?[0-7]{3}$|^(?:[ugoa]*\+x)$/;

/**
 * Returns the source and destination of `install [-m MODE] SRC DEST` or `cp [-p] SRC DEST`,
 * or undefined for any other option or operand count.
 */
function copiedFile(command: SimpleCommand): { source: string; destination: string } | undefined {
  const args = command.argv.slice(1);
  const operands: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (command.name === 'install' && arg === '-m' && PLAIN_MODE.test(args[index + 1] ?? '')) {
      index += 1;
    } else if (command.name === 'cp' && arg === '-p') {
      continue;
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      operands.push(arg);
    }
  }
  const [source, destination] = operands;
  return operands.length === 2 && source !== undefined && destination !== undefined
    ? { source, destination }
    : undefined;
}

/**
 * Checks that an `install` or `cp` puts a project file into `.git/hooks/NAME` after a request
 * to install or add the NAME hook that names the file ("install our pre-commit hook from
 * scripts/hooks/pre-commit"). The file is the project's own, so the hook runs what the
 * project ships. Files outside the project or inside `.git`, unnamed files or hooks, links
 * and downloads keep asking.
 *
 * NOTE: the source file's content is not read here, so a project file that sends data is
 * installed as asked. Its own writes were judged when they were made.
 */
export function installsRequestedProjectHook(
  command: SimpleCommand,
  messages: string,
  isProjectPath: (path: string) => boolean,
): boolean {
  if (command.dynamic || !['install', 'cp'].includes(command.name)) {
    return false;
  }
  const copied = copiedFile(command);
  if (copied === undefined) {
    return false;
  }
  const { source } = copied;
  const destination = copied.destination.replace(/^\.\//, '');
  const name = destination.endsWith('/')
    ? source.replace(/^.*\//, '')
    : destination.replace(/^\.git\/hooks\//, '');
  const inHooks =
    destination === `.git/hooks/${name}` || destination.replace(/\/+$/, '') === '.git/hooks';
  return (
    inHooks &&
    HOOK_NAMES.has(name) &&
    !source.includes('..') &&
    !/^\.?\/?\.git\//.test(source) &&
    isProjectPath(source) &&
    containsWord(messages, source.replace(/^\.\//, '')) &&
    requestsVerb(HOOK_VERBS, messages).some(
      (request) => /\bhooks?\b/i.test(request) && containsWord(request, name),
    )
  );
}
