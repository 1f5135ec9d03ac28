/**
 * Commands that `at` and `batch` schedule. Both read shell commands from standard input
 * unless `-f FILE` names a file, and run them later with `/bin/sh`, so a heredoc, here-string
 * or piped literal text is judged as the shell text it is.
 */

/** Options of `at` (POSIX and the Linux at 3.x) that list, remove or show jobs instead of scheduling. */
const JOB_QUERIES = new Set(['-l', '-r', '-d', '-c', '-V', '--help']);

/** Checks whether `at ARGS` or `batch ARGS` schedules the commands it reads from standard input. */
export function schedulesInput(argv: readonly string[]): boolean {
  const program = argv[0] ?? '';
  if (program !== 'at' && program !== 'batch' && !/\/(?:at|batch)$/.test(program)) {
    return false;
  }
  return argv
    .slice(1)
    .every((arg) => arg !== '-f' && !arg.startsWith('-f') && !JOB_QUERIES.has(arg));
}
