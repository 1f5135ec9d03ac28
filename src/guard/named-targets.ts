/**
 * Consent checks for stage-1 rules whose target the user can name exactly: a database on this
 * machine, one service or deployment, or a log file in the project.
 * Naming the exact target in a request is what separates these calls from their dangerous
 * look-alikes (flushing a shared redis, restarting every pod, wiping system logs).
 */
import path from 'node:path';
import { isLocalCluster } from './remote-cli.js';
import type { SimpleCommand } from './shell.js';

/** Database clients whose target host is given by `-h`/`--host`, a URI or a connection string. */
const DATABASE_CLIENTS = new Set([
  'redis-cli',
  'mysql',
  'mariadb',
  'psql',
  'mongosh',
  'mongo',
  'sqlite3',
  'clickhouse-client',
]);
const LOOPBACK_HOST = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;
const HOST_OPTIONS = new Set(['-h', '--host']);

/** Words that ask to reset data, and words that mark the data as the user's local copy. */
const RESET_REQUEST =
  /\b(?:wipe|reset|re-?create|drop|clear|empty|flush|truncate|delete|remove)\b/i;
const LOCAL_DATA =
  /\b(?:local(?:host)?|127\.0\.0\.1|my (?:dev|test)\b)|\b(?:dev|test)\s+(?:db|database)\b/i;

/**
 * Checks that a database command talks only to this machine: every host option, URI or
 * `host=` connection string names a loopback address, and no host comes from a variable. A
 * client with no host at all uses its local default (a unix socket or localhost), except
 * `psql` and `mysql` with `PGHOST` or `MYSQL_HOST` set on the command itself.
 *
 * NOTE: a host set elsewhere (an exported `PGHOST`, `~/.my.cnf`, a libpq service file) is not
 * seen, so a client without a host option is trusted to be local when the user says so.
 */
export function targetsLocalDatabase(command: SimpleCommand): boolean {
  if (!DATABASE_CLIENTS.has(command.name) || command.dynamic) {
    return false;
  }
  if (command.name === 'sqlite3') {
    return true;
  }
  if (
    command.assignments.some((assignment) => /^(?:PGHOST|MYSQL_HOST|REDISCLI_)/.test(assignment))
  ) {
    return false;
  }
  return databaseHosts(command).every((host) => LOOPBACK_HOST.test(host));
}

/**
 * Returns the server hosts a database client names: host options, URIs, libpq connection
 * strings and `PGHOST`/`MYSQL_HOST` set on the command. A client with none uses its local
 * default.
 */
export function databaseHosts(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  const hosts: string[] = command.assignments
    .map((assignment) => /^(?:PGHOST|MYSQL_HOST)=(.*)$/.exec(assignment)?.[1])
    .filter((host) => host !== undefined);
  args.forEach((arg, index) => {
    if (HOST_OPTIONS.has(arg)) {
      hosts.push(args[index + 1] ?? '');
    } else if (/^--host=/.test(arg)) {
      hosts.push(arg.slice('--host='.length));
    } else if (/^-h\S/.test(arg) && command.name !== 'redis-cli') {
      hosts.push(arg.slice(2));
    }
    const uri = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/?\s]+)/i.exec(arg);
    if (uri?.[1] !== undefined) {
      hosts.push(uri[1]);
    }
    // A libpq connection string, such as `psql "host=db.example.com dbname=app"`.
    const conninfo = /(?:^|\s)host=(\S*)/.exec(arg);
    if (conninfo?.[1] !== undefined) {
      hosts.push(conninfo[1]);
    }
  });
  return hosts;
}

/** Checks that the user asked to reset data and called it their local or dev copy. */
export function asksLocalReset(messages: string): boolean {
  return RESET_REQUEST.test(messages) && LOCAL_DATA.test(messages);
}

/** A request to restart, in the present tense: "the server you started" asks for nothing. */
const RESTART_REQUEST = /\b(?:restart|reload|bounce|start)(?:ing)?\b/i;

/**
 * Returns the exact names a restart targets, or undefined when the command is not a restart of
 * named services: `kubectl rollout restart deployment/api -n dev` gives `api` and `dev`,
 * `systemctl restart nginx` gives `nginx`. A selector, `--all` or a computed name gives
 * undefined, because such a restart can reach services the user did not name.
 */
function restartTargets(command: SimpleCommand): string[] | undefined {
  if (command.dynamic) {
    return undefined;
  }
  const args = command.argv.slice(1);
  if (command.name === 'kubectl') {
    const at = args.indexOf('rollout');
    if (at < 0 || args[at + 1] !== 'restart') {
      return undefined;
    }
    if (args.some((arg) => /^(?:-l|--selector|--all)(?:=|$)/.test(arg))) {
      return undefined;
    }
    const namespace = args.find((_arg, index) =>
      ['-n', '--namespace'].includes(args[index - 1] ?? ''),
    );
    const resources = args
      .slice(at + 2)
      .filter(
        (arg, index, rest) =>
          !arg.startsWith('-') && !['-n', '--namespace'].includes(rest[index - 1] ?? ''),
      );
    // `deployment/api` names one resource, `deployment api` names it after its kind, and a
    // bare kind (`deployment`) means every resource of that kind.
    const names = resources.some((resource) => resource.includes('/'))
      ? resources.map((resource) => (resource.includes('/') ? resource.replace(/^.*\//, '') : ''))
      : resources.slice(1);
    if (names.length === 0 || names.some((name) => name === '')) {
      return undefined;
    }
    // A namespace of a cluster on this machine is the user's own, so it need not be named.
    return namespace === undefined || isLocalCluster(command) ? names : [...names, namespace];
  }
  if (command.name === 'systemctl' || command.name === 'docker') {
    const verb = args.find((arg) => !arg.startsWith('-'));
    const verbs =
      command.name === 'systemctl'
        ? ['restart', 'reload', 'try-restart', 'start']
        : ['restart', 'start'];
    if (verb === undefined || !verbs.includes(verb)) {
      return undefined;
    }
    const units = args.slice(args.indexOf(verb) + 1).filter((arg) => !arg.startsWith('-'));
    if (units.length === 0 || units.some((unit) => /[*?[]/.test(unit))) {
      return undefined;
    }
    return units.map((unit) => unit.replace(/\.service$/, ''));
  }
  if (command.name === 'service' && ['restart', 'reload', 'start'].includes(args[1] ?? '')) {
    return args[0] === undefined ? undefined : [args[0]];
  }
  return undefined;
}

/** Checks that the user asked to restart and named every service, deployment and namespace. */
export function namesRestartTargets(command: SimpleCommand, messages: string): boolean {
  const targets = restartTargets(command);
  return (
    targets !== undefined &&
    RESTART_REQUEST.test(messages) &&
    targets.every(
      (target) => containsWord(messages, target) || containsWord(messages, serviceName(target)),
    )
  );
}

/** A request to stop or remove something, phrased with any of the usual verbs. */
const STOP_REQUEST =
  /\b(?:stop|kill|end|terminate|shut(?:ting)? down|close|delete|remove|scale|evict|tear down)\b/i;

/**
 * Returns the exact names a stop targets, or undefined when the command is not a stop of named
 * pods, deployments or containers: `kubectl delete pod api-7c9f8d -n dev` gives `api-7c9f8d`
 * and `dev`, `kubectl scale deployment/worker --replicas=0 -n dev` gives `worker` and `dev`,
 * and `docker stop web` or `lxc delete -f web` gives `web`. Selectors, `--all` and computed names give undefined.
 */
function stopTargets(command: SimpleCommand): string[] | undefined {
  if (command.dynamic || command.wrappers.length > 0) {
    return undefined;
  }
  const args = command.argv.slice(1);
  if (args.some((arg) => /^(?:-l|--selector|--all|-A|--all-namespaces)(?:=|$)/.test(arg))) {
    return undefined;
  }
  const positional = args.filter(
    (arg, index) =>
      !arg.startsWith('-') &&
      !['-n', '--namespace', '--replicas', '--grace-period', '-t', '--time'].includes(
        args[index - 1] ?? '',
      ),
  );
  let names: string[];
  if (
    command.name === 'kubectl' &&
    positional[0] === 'delete' &&
    /^pods?$/.test(positional[1] ?? '')
  ) {
    names = positional.slice(2);
  } else if (command.name === 'kubectl' && positional[0] === 'scale') {
    names = positional
      .slice(1)
      .filter((arg) => arg.includes('/'))
      .map((arg) => arg.replace(/^.*\//, ''));
  } else if (
    /^(?:docker|podman|nerdctl)$/.test(command.name) &&
    ['stop', 'kill', 'rm'].includes(positional[positional[0] === 'container' ? 1 : 0] ?? '')
  ) {
    names = positional.slice(positional[0] === 'container' ? 2 : 1);
  } else if (
    /^(?:lxc|incus)$/.test(command.name) &&
    ['stop', 'restart', 'delete', 'rm'].includes(positional[0] ?? '')
  ) {
    names = positional.slice(1);
  } else {
    return undefined;
  }
  if (names.length === 0 || names.some((name) => name === '' || /[*?[]/.test(name))) {
    return undefined;
  }
  const namespace = args.find((_arg, index) =>
    ['-n', '--namespace'].includes(args[index - 1] ?? ''),
  );
  return namespace === undefined ? names : [...names, namespace];
}

/** Checks that the user asked to stop or remove and named every pod, container and namespace. */
export function namesStopTargets(command: SimpleCommand, messages: string): boolean {
  const targets = stopTargets(command);
  return (
    targets !== undefined &&
    STOP_REQUEST.test(messages) &&
    targets.every((target) => containsWord(messages, target))
  );
}

/**
 * Returns a unit's name without the suffix its package adds, so "restart postgres" names
 * `postgresql`, "restart redis" names `redis-server` and "restart ssh" names `sshd`.
 */
function serviceName(unit: string): string {
  return unit.replace(/(?:-server|-service|-daemon|ql|d)$/, '');
}

/** Branches other people build on, which a request naming them does not cover deleting. */
const SHARED_BRANCHES = /^(?:main|master|trunk|develop|production|prod|staging|release)$/;
const DELETE_REQUEST = /\b(?:delet\w*|remov\w*|clean\w* up)\b/i;

/**
 * Checks that a `git push` deletes only remote branches or tags that the user named and asked
 * to delete: `git push origin --delete feature/x` or `git push origin :feature/x` after
 * "delete feature/x on origin". `--prune`, `--mirror`, globs and shared branches never qualify.
 */
export function deletesNamedRefs(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'git' || command.dynamic || !DELETE_REQUEST.test(messages)) {
    return false;
  }
  const args = command.argv.slice(command.argv.indexOf('push') + 1);
  if (args.some((arg) => /^--(?:prune|mirror|all|force)\b|^-[a-zA-Z]*f/.test(arg))) {
    return false;
  }
  const deleting = args.some((arg) => arg === '--delete' || arg === '-d');
  const refs = args
    .filter((arg) => !arg.startsWith('-'))
    .slice(1)
    .filter((ref) => deleting || ref.startsWith(':'))
    .map((ref) => ref.replace(/^:/, '').replace(/^refs\/(?:heads|tags)\//, ''));
  return (
    refs.length > 0 &&
    refs.every(
      (ref) => !SHARED_BRANCHES.test(ref) && !/[*?[]/.test(ref) && containsWord(messages, ref),
    )
  );
}

/** Commands that only test a server's configuration files and change nothing. */
// Only the bare forms: `nginx -t -c FILE` would load another config, and its modules, as root.
const CONFIG_TESTS = /^(?:nginx -[tT]|apache2?ctl (?:-t|configtest))$/;

/** Checks whether a command only tests a server configuration the user's messages name. */
export function testsNamedConfig(command: SimpleCommand, messages: string): boolean {
  const server = command.name.replace(/2?ctl$/, '');
  return (
    CONFIG_TESTS.test(command.argv.join(' ')) &&
    (containsWord(messages, server) || containsWord(messages, `${server}2`))
  );
}

const EMPTY_REQUEST = /\b(?:empty|truncate|clear|wipe|delete|remove|reset|clear out)\b/i;

/**
 * Checks that a log-wiping command only empties or removes files inside the project that the
 * user named, such as `truncate -s 0 logs/dev.log` after "logs/dev.log is huge, empty it".
 * Audit logs never qualify.
 */
export function emptiesNamedProjectFiles(
  command: SimpleCommand,
  messages: string,
  isProjectPath: (file: string) => boolean,
): boolean {
  if (
    !['truncate', 'rm'].includes(command.name) ||
    command.dynamic ||
    command.wrappers.length > 0
  ) {
    return false;
  }
  const args = command.argv.slice(1);
  const files = args.filter(
    (arg, index) => !arg.startsWith('-') && !['-s', '--size'].includes(args[index - 1] ?? ''),
  );
  return (
    files.length > 0 &&
    EMPTY_REQUEST.test(messages) &&
    files.every(
      (file) =>
        !/audit|[*?[]/i.test(file) &&
        isProjectPath(file) &&
        (messages.includes(file) ||
          containsWord(messages, path.basename(file)) ||
          describesLogFile(messages, file)),
    )
  );
}

/**
 * Checks whether the messages describe a log file by the first word of its name and the word
 * log: "the dev log" describes `logs/dev-server.log`, "the app log" describes `logs/app.log`.
 */
function describesLogFile(messages: string, file: string): boolean {
  const stem = path.basename(file).replace(/\.log$/, '');
  const first = stem.split(/[-_.]/)[0] ?? '';
  return (
    file.endsWith('.log') &&
    first.length >= 2 &&
    new RegExp(String.raw`\b${first.replace(/[^\w]/g, '')}(?:[- ]\w+)? logs?\b`, 'i').test(messages)
  );
}

/** Checks that `word` appears in `text` with no letter, digit or `-` either side. */
export function containsWord(text: string, word: string): boolean {
  const lower = text.toLowerCase();
  const target = word.toLowerCase();
  if (target === '') {
    return false;
  }
  for (let at = lower.indexOf(target); at >= 0; at = lower.indexOf(target, at + 1)) {
    const before = lower[at - 1] ?? '';
    const after = lower[at + target.length] ?? '';
    if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) {
      return true;
    }
  }
  return false;
}
