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
