/**
 * Reads the command that a container exec runs: `docker exec NAME CMD`, `podman exec`,
 * `docker compose exec SERVICE CMD` and `kubectl exec POD -- CMD`.
 */

/** A command run inside a container, as a container CLI's exec names it. */
export interface ContainerExec {
  /** The exec call that runs the command, such as `docker exec web` or `kubectl exec api-0`. */
  label: string;
  /** The container, service or pod name. */
  container: string;
  /** The command run in the container. */
  argv: string[];
  /** Index in the exec's own argv of the command's first word. */
  start: number;
}

/** Options of `docker exec`, `podman exec` and `docker compose exec` that take a value. */
const EXEC_VALUE_OPTIONS = /^(?:-e|--env|--env-file|-u|--user|-w|--workdir|--detach-keys|--index)$/;
/** Options of `kubectl exec` that take a value when it is not joined with `=`. */
const KUBECTL_VALUE_OPTIONS =
  /^(?:-n|--namespace|-c|--container|-f|--filename|--context|--cluster|--kubeconfig|--pod-running-timeout|-s|--server|--user|--as|--token)$/;

/**
 * Returns the command a container exec runs and the container's name, or undefined when
 * `argv` is no container exec or names no command.
 */
export function containerExec(argv: readonly string[]): ContainerExec | undefined {
  const program = argv[0]?.replace(/^.*\//, '') ?? '';
  if (program === 'kubectl') {
    return kubectlExec(argv);
  }
  if (program !== 'docker' && program !== 'podman' && program !== 'docker-compose') {
    return undefined;
  }
  const subcommand = program !== 'docker-compose' && argv[1] === 'compose';
  const isCompose = program === 'docker-compose' || subcommand;
  // `docker compose exec` has one more word before the verb than `docker-compose exec`.
  const verbAt = subcommand ? 2 : 1;
  if (argv[verbAt] !== 'exec') {
    return undefined;
  }
  let index = verbAt + 1;
  while (index < argv.length && (argv[index] ?? '').startsWith('-')) {
    index += EXEC_VALUE_OPTIONS.test(argv[index] ?? '') ? 2 : 1;
  }
  const container = argv[index];
  if (container === undefined || index + 1 >= argv.length) {
    return undefined;
  }
  const tool = isCompose ? 'docker compose' : program;
  return {
    label: `${tool} exec ${container}`,
    container,
    argv: argv.slice(index + 1),
    start: index + 1,
  };
}

/** Reads `kubectl exec [OPTIONS] POD -- CMD`, and the older form without `--`. */
function kubectlExec(argv: readonly string[]): ContainerExec | undefined {
  const verbAt = argv.indexOf('exec');
  if (verbAt < 1) {
    return undefined;
  }
  let container: string | undefined;
  let index = verbAt + 1;
  for (; index < argv.length; index += 1) {
    const word = argv[index] ?? '';
    if (word === '--') {
      index += 1;
      break;
    }
    if (word.startsWith('-')) {
      index += KUBECTL_VALUE_OPTIONS.test(word) ? 1 : 0;
    } else if (container === undefined) {
      container = word;
    } else {
      // The older form puts the command right after the pod.
      break;
    }
  }
  if (container === undefined || index >= argv.length) {
    return undefined;
  }
  return {
    label: `kubectl exec ${container}`,
    container,
    argv: argv.slice(index),
    start: index,
  };
}
