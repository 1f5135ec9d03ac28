/**
 * The package binary that `yarn NAME ARGS` runs. Yarn (1.x and 2+) runs the project script
 * NAME when package.json has one and otherwise the binary NAME of an installed package, so
 * `yarn ngrok http 3000` runs `ngrok http 3000`. Both `yarn NAME` and `yarn run NAME` are
 * read as NAME, because without package.json the guard cannot tell a script from a binary;
 * script names that no program has (`yarn test`, `yarn build:prod`) add nothing to judge.
 */
import type { RunnerCall } from './project-runners.js';

/** Yarn's own commands (1.x and 2+), which never run a package binary of that name. */
const YARN_COMMANDS = new Set([
  'add',
  'audit',
  'autoclean',
  'bin',
  'cache',
  'check',
  'config',
  'constraints',
  'create',
  'dedupe',
  'dlx',
  'exec',
  'explain',
  'generate-lock-entry',
  'global',
  'help',
  'import',
  'info',
  'init',
  'install',
  'licenses',
  'link',
  'list',
  'login',
  'logout',
  'npm',
  'outdated',
  'owner',
  'pack',
  'patch',
  'patch-commit',
  'plugin',
  'policies',
  'publish',
  'rebuild',
  'remove',
  'sdks',
  'search',
  'set',
  'stage',
  'tag',
  'team',
  'test',
  'unlink',
  'unplug',
  'up',
  'upgrade',
  'upgrade-interactive',
  'version',
  'versions',
  'why',
  'workspace',
  'workspaces',
]);

/** Yarn's global options that take the next word as their value. */
const VALUE_OPTIONS = new Set([
  '--cwd',
  '--modules-folder',
  '--cache-folder',
  '--global-folder',
  '--link-folder',
  '--preferred-cache-folder',
  '--mutex',
  '--network-timeout',
  '--network-concurrency',
  '--registry',
  '--use-yarnrc',
  '--otp',
]);

/** A name a package binary can have; a `:` marks a script (`build:prod`), never a binary. */
const BINARY_NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Returns the command that `yarn [OPTIONS] [run] NAME ARGS` runs as a package binary, or
 * undefined when NAME is a yarn command or cannot name a binary. `yarn node ARGS` runs node.
 */
export function yarnBinaryCall(argv: readonly string[]): RunnerCall | undefined {
  let index = 1;
  while (index < argv.length && (argv[index] ?? '').startsWith('-')) {
    const option = argv[index] ?? '';
    index += VALUE_OPTIONS.has(option) ? 2 : 1;
  }
  if (argv[index] === 'run') {
    index += 1;
  }
  const name = argv[index];
  if (name === undefined || YARN_COMMANDS.has(name) || !BINARY_NAME.test(name)) {
    return undefined;
  }
  return { label: 'yarn', starts: [index], scripts: [], commands: [] };
}
