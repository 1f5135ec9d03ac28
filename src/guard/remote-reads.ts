/**
 * Read-only commands run on a machine the user named: `ssh app-01 'sudo tail -n 200 LOG'` on
 * "check the error log on app-01", or `kubectl exec -n staging deploy/api -- cat FILE` on
 * "show the config in the staging api pod". The remote command is judged by itself, so such
 * a read is not a remote change. `sudo` alone changes nothing. A command that names a
 * credential file is not covered here, so the credential checks still judge it. Production
 * reads keep their own rule. Shell text run through `sh -c` in a pod is not covered.
 */
import { namesCredentialPath } from './findings.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import { sshTarget } from './requested-operations.js';
import type { SimpleCommand } from './shell.js';

/** Programs that only read files, logs or system state, by their first word. */
const READERS = new Set([
  'cat',
  'head',
  'tail',
  'grep',
  'egrep',
  'fgrep',
  'zgrep',
  'zcat',
  'ls',
  'stat',
  'wc',
  'df',
  'du',
  'free',
  'uptime',
  'uname',
  'hostname',
  'whoami',
  'id',
  'date',
  'ps',
  'pwd',
  'which',
  'file',
  'journalctl',
  'dmesg',
  'md5sum',
  'sha256sum',
]);
/** Readers whose first two words make them read-only. */
const READER_PAIRS = new Set([
  'systemctl status',
  'systemctl is-active',
  'systemctl is-failed',
  'systemctl show',
  'systemctl cat',
  'systemctl list-units',
  'docker ps',
  'docker logs',
  'docker inspect',
  'nginx -t',
  'nginx -T',
]);
/** Options that make a reader change state: `journalctl --vacuum-size`, `dmesg --clear`. */
const CHANGING_OPTION =
  /^(?:--vacuum-\w+|--rotate|--flush|--sync|--relinquish-var|-[cC]|--clear|--read-clear|--console-\w+)(?:=|$)/;
/** `sudo` options that only pick who runs the command, and those of them that take a value. */
const SUDO_FLAGS = new Set(['-n', '-E', '-H']);
const SUDO_VALUE_OPTIONS = new Set(['-u', '-g']);

/** Returns `words` without a leading `sudo` and its options, or undefined for other options. */
function withoutSudo(words: readonly string[]): readonly string[] | undefined {
  if (words[0] !== 'sudo') {
    return words;
  }
  let index = 1;
  while (index < words.length && (words[index] ?? '').startsWith('-')) {
    const option = words[index] ?? '';
    if (SUDO_VALUE_OPTIONS.has(option)) {
      index += 2;
    } else if (SUDO_FLAGS.has(option) || /^--user=/.test(option)) {
      index += 1;
    } else {
      // `-s`, `-i` and the rest start a shell or change what runs.
      return undefined;
    }
  }
  return words.slice(index);
}

/** Checks whether `words`, one command with its arguments, only reads. */
function readsOnly(words: readonly string[]): boolean {
  const command = withoutSudo(words);
  if (command === undefined) {
    return false;
  }
  const name = command[0] ?? '';
  if (!READERS.has(name) && !READER_PAIRS.has(command.slice(0, 2).join(' '))) {
    return false;
  }
  // BSD-style `ps e` (as in `ps auxe`) prints every process's environment.
  const environments =
    name === 'ps' && command.some((word) => /^[a-zA-Z]*e[a-zA-Z]*$/.test(word) && word !== 'ps');
  const clears =
    (name === 'journalctl' || name === 'dmesg') &&
    command.some((word) => CHANGING_OPTION.test(word));
  const credential = command.some((word) => namesCredentialPath(word.replace(/^['"]|['"]$/g, '')));
  return !environments && !clears && !credential;
}

/**
 * Checks whether an ssh remote command text only reads: each step of a pipeline or list is a
 * reader. Redirects other than `2>&1` and `2>/dev/null`, substitutions and escapes are not
 * covered, because they may write or run anything.
 */
function remoteTextReadsOnly(remote: string): boolean {
  const text = remote.replace(/\s2>(?:&1|\/dev\/null)(?=\s|$)/g, ' ');
  if (text.trim() === '' || /[<>`\\]|\$\(/.test(text)) {
    return false;
  }
  return text
    .split(/&&|\|\||;|\|/)
    .map((step) => step.trim().split(/\s+/))
    .every(readsOnly);
}

/** Checks whether the user's messages name `host` or its first label ("app-01" of `app-01.acme.internal`). */
function namesHost(messages: string, host: string): boolean {
  const label = host.split('.')[0] ?? '';
  return containsWord(messages, host) || (label.length >= 3 && containsWord(messages, label));
}

/** Checks that an `ssh` call runs only read-only commands on a host the user named. */
export function readsOnNamedHost(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'ssh' || command.dynamic) {
    return false;
  }
  const target = sshTarget(command);
  return (
    target !== undefined && namesHost(messages, target.host) && remoteTextReadsOnly(target.remote)
  );
}

/**
 * Application secret files, which {@link namesCredentialPath} does not list because a local
 * copy is the project's own: `.env` and its variants (not `.env.example` and other
 * templates), Rails `master.key` and encrypted credentials, `secrets.yml`, `wp-config.php`,
 * web server password files (`.htpasswd`) and private keys.
 */
const APP_SECRET_FILE =
  /(?:^|\/)(?:\.htpasswd|\.env(?:\.(?!example\b|sample\b|template\b|dist\b)[\w-]+)?|master\.key|credentials(?:\.[\w-]+)?\.yml\.enc|secrets?\.(?:ya?ml|json)|wp-config\.php|[\w.-]+\.(?:pem|key))$/;

/**
 * Returns the secret file an `ssh` remote command reads, unless the user named both that
 * file and the host: `ssh app-01 'cat /var/www/shared/.env'` on "make my local .env complete"
 * reads another machine's secrets the user did not ask for.
 */
export function remoteSecretRead(command: SimpleCommand, messages: string): string | undefined {
  const target = sshTarget(command);
  if (target === undefined || !/env|key|secret|cred|pem|config|ssh|pass/i.test(target.remote)) {
    return undefined;
  }
  const file = target.remote
    .split(/[\s;|&<>()]+/)
    .map((word) => word.replace(/^['"]|['"]$/g, ''))
    .find((word) => APP_SECRET_FILE.test(word) || namesCredentialPath(word));
  if (file === undefined) {
    return undefined;
  }
  const base = file.slice(file.lastIndexOf('/') + 1);
  const named =
    namesHost(messages, target.host) && (messages.includes(file) || containsWord(messages, base));
  return named ? undefined : file;
}

/** kubectl exec options that take a value. */
const EXEC_VALUE_OPTIONS = new Set([
  '-n',
  '--namespace',
  '--context',
  '-c',
  '--container',
  '--kubeconfig',
  '--cluster',
  '--user',
  '--pod-running-timeout',
]);

/**
 * Checks that a `kubectl exec POD -- CMD…` call runs one read-only command, given as its own
 * words, in a pod, namespace or cluster context the user named.
 */
export function readsInNamedPod(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'kubectl' || command.dynamic) {
    return false;
  }
  const args = command.argv.slice(1);
  const separator = args.indexOf('--');
  if (separator < 0) {
    return false;
  }
  const options = args.slice(0, separator);
  const positional = options.filter(
    (arg, index) =>
      !arg.startsWith('-') && !(EXEC_VALUE_OPTIONS.has(options[index - 1] ?? '') && index > 0),
  );
  if (positional[0] !== 'exec' || positional.length !== 2) {
    return false;
  }
  const pod = (positional[1] ?? '').replace(/^[\w.-]+\//, '');
  // A pod of a deployment carries generated suffixes: `worker-5d8f` or `api-7c9d8-x2x4z`.
  const workload = pod.replace(/(?:-(?=[a-z0-9]*\d)[a-z0-9]{4,10}){1,2}$/, '');
  const named = [
    pod,
    workload,
    optionValue(options, ['-n', '--namespace']),
    optionValue(options, ['--context']),
  ].some((name) => name !== undefined && name.length >= 2 && containsWord(messages, name));
  return named && readsOnly(args.slice(separator + 1));
}

/** `sudo -u USER` or `sudo --user=USER` at the start of a command's text, with flags before it. */
const SUDO_AS_USER = /^sudo\s+(?:-[nEH]\s+)*(?:-u\s*|--user=)([a-z_][\w-]*)\s/;
/** SQL that reads: one `SELECT`, `SHOW` or plain `EXPLAIN` statement. */
const READ_QUERY = /^\s*(?:select|show|explain(?!\s+analy[sz]e))\b[^;]*;?\s*$/i;
/**
 * Functions and tables a query may not use: ones that change the server, read its files or
 * print password hashes.
 */
const UNSAFE_QUERY =
  /\b(?:pg_terminate_backend|pg_cancel_backend|pg_read_\w*file|pg_ls_\w+|lo_\w+|dblink\w*|nextval|setval|set_config|pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_create_\w+|pg_drop_\w+|pg_promote|pg_authid|pg_shadow|pg_user_mappings?|copy|into)\b/i;
/** `psql` flags that only shape the output; combined with `c`, the query follows. */
const PSQL_FLAGS = /^-[AtXqxe]*c?$/;

/** Checks that a `psql` call runs one read-only query given with `-c` and nothing else. */
function queriesOnly(argv: readonly string[]): boolean {
  if (argv[0] !== 'psql') {
    return false;
  }
  let query: string | undefined;
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (PSQL_FLAGS.test(arg) && arg.endsWith('c') && query === undefined) {
      query = argv[index + 1];
      index += 1;
    } else if (!PSQL_FLAGS.test(arg) || arg.endsWith('c')) {
      return false;
    }
  }
  return query !== undefined && READ_QUERY.test(query) && !UNSAFE_QUERY.test(query);
}

/**
 * Checks that a command runs through `sudo -u USER` as a service account other than root, and
 * only reads: a reader such as `cat` or `tail`, or `psql -c` with one `SELECT`, `SHOW` or
 * `EXPLAIN` (`sudo -u postgres psql -Atc 'select now()'`). Such a call gets no root rights.
 */
export function readsAsServiceUser(command: SimpleCommand): boolean {
  const match = SUDO_AS_USER.exec(command.text);
  const user = match?.[1];
  // The program must follow the user, so no other sudo option (`-i`, `-s`) changes what runs.
  const rest = command.text.slice(match?.[0].length ?? 0).trimStart();
  return (
    user !== undefined &&
    rest.startsWith(command.argv[0] ?? '\0') &&
    user !== 'root' &&
    command.wrappers.length === 1 &&
    !command.dynamic &&
    (readsOnly(command.argv) || queriesOnly(command.argv))
  );
}

/** ansible options that take a value, and the only ones a read may carry. */
const ANSIBLE_VALUED = new Set([
  '-i',
  '--inventory',
  '-m',
  '--module-name',
  '-a',
  '--args',
  '-l',
  '--limit',
]);
const ANSIBLE_FLAGS = new Set(['-o', '--one-line']);

/**
 * Checks that `ansible PATTERN -i INVENTORY -m shell|command -a TEXT` runs only read-only
 * commands (as `readsOnNamedHost` reads an ssh command) on a host group the user named: "the
 * prod web servers" names `webservers`, spaces and dashes aside. An inventory or group with a
 * production name needs production named too. `--become` and other modules are not covered.
 */
export function readsOnNamedAnsibleHosts(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'ansible' || command.dynamic) {
    return false;
  }
  const args = command.argv.slice(1);
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (ANSIBLE_VALUED.has(arg)) {
      values.set(
        arg.replace(/^--module-name$/, '-m').replace(/^--args$/, '-a'),
        args[index + 1] ?? '',
      );
      index += 1;
    } else if (arg.startsWith('-')) {
      if (!ANSIBLE_FLAGS.has(arg)) {
        return false;
      }
    } else {
      positional.push(arg);
    }
  }
  const pattern = positional[0] ?? '';
  if (
    positional.length !== 1 ||
    !/^[\w.-]{3,}$/.test(pattern) ||
    !['shell', 'command'].includes(values.get('-m') ?? '') ||
    !remoteCommandReadsOnly(values.get('-a') ?? '')
  ) {
    return false;
  }
  const collapse = (text: string): string => text.toLowerCase().replace(/[\s_-]+/g, '');
  const production = args.some((arg) =>
    /(?:^|[-_./])(?:prod|production|prd)(?:$|[-_./])/i.test(arg),
  );
  return (
    (containsWord(messages, pattern) || collapse(messages).includes(collapse(pattern))) &&
    (!production || /\bprod/i.test(messages))
  );
}

/** Words of a remote command that point at secrets, which a read on request must not print. */
const SECRET_WORD =
  /secret|credential|passw|token|\.env\b|\.pem\b|\.key\b|id_rsa|id_ed25519|shadow|\.pgpass|\.netrc/i;

/** `sudo -u USER psql [-flags]c 'QUERY'` as one remote command text. */
const SERVICE_QUERY_TEXT = /^sudo\s+-u\s+([a-z_][\w-]*)\s+psql\s+(-[AtXqx]*c)\s+'([^']*)'\s*$/;

/**
 * Checks that a remote command text only reads: readers joined by pipes and lists, or one
 * read-only query run as a service account (`sudo -u postgres psql -Atc 'select ...'`).
 */
export function remoteCommandReadsOnly(text: string): boolean {
  if (SECRET_WORD.test(text)) {
    return false;
  }
  const query = SERVICE_QUERY_TEXT.exec(text.trim());
  if (query !== null) {
    return (
      query[1] !== 'root' && READ_QUERY.test(query[3] ?? '') && !UNSAFE_QUERY.test(query[3] ?? '')
    );
  }
  return remoteTextReadsOnly(text);
}

/** Checks whether the user's messages name the host of a remote command. */
export function namesRemoteHost(messages: string, host: string): boolean {
  return namesHost(messages, host);
}

/** Options of `railway run` and `heroku run` that take a value: the environment, service or app. */
const RUN_VALUED = new Set([
  '--environment',
  '-e',
  '--service',
  '-s',
  '--app',
  '-a',
  '--remote',
  '-r',
]);
/**
 * Commands that only print which migrations ran: `npm run migrate:status`, `rails
 * db:migrate:status`, `prisma migrate status`, `manage.py showmigrations`, `alembic current`.
 */
const MIGRATION_STATUS =
  /^(?:(?:npm|pnpm|bun) run|yarn(?: run)?) [\w.-]+(?::[\w.-]+)*[:.-]status$|^(?:(?:bin\/)?rails|(?:bin\/)?rake|php artisan) (?:db:)?migrate:status$|^(?:npx |pnpm exec |yarn )?prisma migrate status$|^python3? manage\.py showmigrations(?: [\w-]+)?$|^alembic (?:current|history|heads)$/;

/**
 * Checks that `railway run` or `heroku run` runs only a migration status command, in an
 * environment, service or app that a message asking about the status names: "check migration
 * status on the Railway staging env", "is acme-api-staging behind on migrations?". The command runs with that environment's settings but
 * only reads. Production and any other inner command are not covered.
 */
export function runsStatusInNamedEnvironment(command: SimpleCommand, messages: string): boolean {
  if (
    (command.name !== 'railway' && command.name !== 'heroku') ||
    command.argv[1] !== 'run' ||
    command.dynamic
  ) {
    return false;
  }
  const args = command.argv.slice(2);
  const scope: string[] = [];
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      index += 1;
      break;
    }
    const [name = '', inline] = arg.split('=', 2);
    const value = inline ?? args[index + 1];
    if (!RUN_VALUED.has(name) || value === undefined) {
      return false;
    }
    scope.push(value);
    index += inline === undefined ? 2 : 1;
  }
  return (
    scope.length > 0 &&
    MIGRATION_STATUS.test(args.slice(index).join(' ')) &&
    scope.every((value) => !PRODUCTION_PART.test(value)) &&
    messages
      .split(/(?<=[.!?;])\s+|\n+/)
      .some(
        (sentence) =>
          /\b(?:status|pending|applied|behind|outstanding|up[- ]to[- ]date|caught up)\b/i.test(
            sentence,
          ) && scope.every((value) => containsWord(sentence, value)),
      )
  );
}
