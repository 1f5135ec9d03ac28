/**
 * A shell started with `-c TEXT` inside another program's arguments, as in
 * `dbus-launch sh -c TEXT`, `dtach -N s sh -c TEXT`, `zellij run -- sh -c TEXT` or
 * `start-stop-daemon --start --exec /bin/sh -- -c TEXT`. Whatever the outer program, a shell
 * word followed by `-c` (with only options between) runs TEXT on this machine.
 */
import { isShell } from './interpreters.js';
import { shellSource } from './shell-invocations.js';

/**
 * Programs whose shell text is not a local command, because they run it on another host or in
 * a container, or that the parser already follows into their own commands.
 */
const NOT_LOCAL = new Set([
  'ssh',
  'autossh',
  'mosh',
  'vagrant',
  'gcloud',
  'az',
  'aws',
  'lxc',
  'incus',
  'multipass',
  'nerdctl',
  'limactl',
  'toolbox',
  'distrobox',
  'kubectl',
  'oc',
  'flyctl',
  'heroku',
  'docker',
  'podman',
  'docker-compose',
  'pdsh',
  'pssh',
  'parallel-ssh',
  'clush',
  'ansible',
  'find',
  'xargs',
  'parallel',
]);

/** Returns the index in `argv` of the `-c` text of a shell that `argv` starts, if any. */
export function embeddedShellText(argv: readonly string[], name: string): number | undefined {
  if (NOT_LOCAL.has(name) || isShell(name)) {
    return undefined;
  }
  for (let index = 1; index < argv.length - 2; index += 1) {
    const word = argv[index] ?? '';
    const program = word.includes('/') ? word.slice(word.lastIndexOf('/') + 1) : word;
    if (!isShell(program) || program === 'busybox') {
      continue;
    }
    // Options, `--` included, may stand between the shell and its `-c`.
    let at = index + 1;
    while (at < argv.length && (argv[at] ?? '').startsWith('-')) {
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(argv[at] ?? '')) {
        const source = shellSource(argv.slice(at));
        return source.kind === 'text' ? at + source.index : undefined;
      }
      at += 1;
    }
  }
  return undefined;
}
