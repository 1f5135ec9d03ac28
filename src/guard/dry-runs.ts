/**
 * Dry-run modes of copy and sync tools, which list what they would change and change nothing.
 * rsync's `-n` still connects and sends the file list (names, sizes and times) to the other
 * side, but no file contents.
 */
import type { SimpleCommand } from './shell.js';

/**
 * Checks whether an rsync call only lists what it would copy: `--dry-run` or `-n` in a
 * short-option cluster, with no `--rsync-path` and no `-e`/`--rsh` program other than ssh.
 * Those two options run a command even in a dry run, on the remote or on this machine.
 */
export function isRsyncDryRun(command: SimpleCommand): boolean {
  if (command.name !== 'rsync' || command.dynamic) {
    return false;
  }
  const args = command.argv.slice(1);
  const dryRun = args.some((arg) => arg === '--dry-run' || /^-[a-zA-Z]*n[a-zA-Z]*$/.test(arg));
  const runsCommand = args.some((arg, index) => {
    if (arg.startsWith('--rsync-path')) {
      return true;
    }
    const shell =
      arg === '-e' || arg === '--rsh' ? args[index + 1] : /^--rsh=(.*)$/s.exec(arg)?.[1];
    return shell !== undefined && !/^(?:\S*\/)?ssh(?:\s|$)/.test(shell);
  });
  return dryRun && !runsCommand;
}

/** Tools whose `-n` means a dry run. For gsutil `cp -n` means no-clobber, so it is not listed. */
const SHORT_DRY_RUN_TOOLS = new Set(['rsync', 'rclone', 's3cmd']);

/**
 * Checks whether a command has a dry-run option: `--dry-run` (with `=client`, `=server` or
 * `=true`), the AWS and Azure CLIs' `--dryrun`, or `-n` for rsync, rclone and s3cmd.
 */
export function hasDryRunOption(command: SimpleCommand): boolean {
  return command.argv
    .slice(1)
    .some(
      (arg) =>
        /^--dry-?run(?:=(?:client|server|true))?$/.test(arg) ||
        (SHORT_DRY_RUN_TOOLS.has(command.name) && arg === '-n'),
    );
}

/** Subcommands that change something and have a dry-run form, per program. */
const DRY_RUNNABLE: Readonly<Record<string, ReadonlySet<string>>> = {
  rclone: new Set(['sync', 'copy', 'move', 'delete', 'purge', 'rmdirs', 'dedupe', 'bisync']),
  s3cmd: new Set(['del', 'rm', 'sync', 'put', 'mv', 'cp']),
  terraform: new Set(['apply', 'destroy']),
  tofu: new Set(['apply', 'destroy']),
  pulumi: new Set(['up', 'destroy', 'update']),
  kubectl: new Set(['apply', 'delete', 'create', 'replace', 'patch']),
  helm: new Set(['install', 'upgrade', 'uninstall']),
  npm: new Set(['publish']),
  pnpm: new Set(['publish']),
  cargo: new Set(['publish']),
};

/**
 * Checks whether `command` changes something that it could instead only preview, and is not
 * run in that preview form: rsync without `-n`, `aws s3 rm` or `sync` without `--dryrun`,
 * `rclone sync` without `--dry-run`, `terraform apply` (whose preview is `plan`), `git clean`
 * without `-n`, `ansible-playbook` without `--check`, and the subcommands of
 * {@link DRY_RUNNABLE} without `--dry-run`.
 */
export function actsWithoutDryRun(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  const operands = args.filter((arg) => !arg.startsWith('-'));
  const subcommand = operands[0] ?? '';
  if (command.name === 'rsync') {
    return !isRsyncDryRun(command) && !hasDryRunOption(command);
  }
  if (command.name === 'aws') {
    return subcommand === 's3' && ['rm', 'sync', 'mv', 'cp'].includes(operands[1] ?? '')
      ? !hasDryRunOption(command)
      : false;
  }
  if (command.name === 'git') {
    const shortDryRun = args.some((arg) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(arg));
    return ['clean', 'push'].includes(subcommand) && !shortDryRun && !hasDryRunOption(command);
  }
  if (command.name === 'ansible-playbook') {
    return !args.some((arg) => arg === '--check' || arg === '-C' || arg === '--syntax-check');
  }
  const subcommands = Object.hasOwn(DRY_RUNNABLE, command.name)
    ? DRY_RUNNABLE[command.name]
    : undefined;
  return subcommands?.has(subcommand) === true && !hasDryRunOption(command);
}

/**
 * Options that make a task runner print a target's recipe instead of running it: make's `-n`,
 * `--dry-run`, `--just-print` and `--recon`, just's `--dry-run` and `-n`, task's `--dry`, and
 * rake's `--dry-run` and `-n`.
 */
const RUNNER_DRY_RUNS: Readonly<Record<string, ReadonlySet<string>>> = {
  make: new Set(['-n', '--dry-run', '--just-print', '--recon']),
  gmake: new Set(['-n', '--dry-run', '--just-print', '--recon']),
  just: new Set(['-n', '--dry-run']),
  task: new Set(['--dry', '-n']),
  rake: new Set(['-n', '--dry-run']),
};

/**
 * Checks whether a task runner call only prints what its targets would run.
 * NOTE: make still runs recipe lines that start with `+` or use `$(MAKE)` under `-n`, which
 * this check cannot see without reading the Makefile.
 */
export function isTaskRunnerDryRun(command: SimpleCommand): boolean {
  const options = Object.hasOwn(RUNNER_DRY_RUNS, command.name)
    ? RUNNER_DRY_RUNS[command.name]
    : undefined;
  return (
    options !== undefined &&
    !command.dynamic &&
    command.argv.slice(1).some((arg) => options.has(arg))
  );
}
