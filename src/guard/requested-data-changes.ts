/**
 * Stage-1 consent for data changes on the exact resource the user names. One is a secret-store
 * write to the path the user gave ("rotate the dev token at secret/dev/api-token"). Another is
 * a `GRANT` on a database of this machine to the roles the user named. A schema push that may
 * lose data is covered for a database of this machine when the user accepts the loss.
 * Production paths, unnamed paths or roles, remote databases and values copied from elsewhere
 * stay with the rules.
 */
import { optionValue } from './options.js';
import { asksWithout, requestsVerb } from './consent.js';
import { containsWord, databaseHosts, targetsLocalDatabase } from './named-targets.js';
import { ENVIRONMENT_NAMES, PRODUCTION_NAMES } from './environment-names.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';
import { containerExec, type ContainerExec } from './container-execs.js';
import {
  consentsToAction,
  deletesRequestedRows,
  dropsRequestedTable,
  namesSqlObject,
  requestTextsWithContext,
} from './resource-consent.js';

const LOOPBACK_HOST = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;
/** Words that call a database the user's own copy on this machine. */
const LOCAL_DATABASE =
  /\b(?:local(?:host)?|127\.0\.0\.1|on (?:my|this) (?:machine|laptop)|my (?:dev|test|scratch) (?:db|database))\b/i;

const WRITE_VERBS = String.raw`rotat\w*|set\w*|updat\w*|put\w*|writ\w*|stor\w*|sav\w*|add\w*|chang\w*|replac\w*|regenerat\w*|creat\w*`;

/**
 * A value made on the spot by a random generator, so it copies no secret from elsewhere.
 * Examples: `$(openssl rand -hex 32)`, `$(uuidgen)`, `$(pwgen -s 40 1)`, `$(head -c 32
 * /dev/urandom | base64)`.
 */
const GENERATED_VALUE =
  /^\$\((?:openssl rand -(?:hex|base64) \d+|uuidgen|pwgen(?: -[a-zA-Z]+)* \d+(?: \d+)?|head -c ?\d+ \/dev\/urandom \| (?:base64|xxd -p|od -An -tx1)(?: -w ?0)?)\)$/;

/** Returns the path a secret-store write changes and the values it writes, if it is one. */
function secretStoreWrite(
  command: SimpleCommand,
): { path: string; values: string[]; store?: string } | undefined {
  const args = command.argv.slice(1);
  const text = command.argv.join(' ');
  if (command.name === 'vault' && /^vault kv (?:put|patch) /.test(text)) {
    const rest = args.slice(2).filter((arg) => !/^-(?:mount|cas)=\S+$/.test(arg));
    const [path, ...pairs] = rest;
    if (path === undefined || path.startsWith('-') || pairs.length === 0) {
      return undefined;
    }
    const values = pairs.map((pair) => /^[\w.-]+=(.*)$/s.exec(pair)?.[1]);
    return values.every((value) => value !== undefined)
      ? { path, values: values as string[] }
      : undefined;
  }
  if (command.name === 'aws' && /^aws ssm put-parameter /.test(text)) {
    const path = optionValue(args, ['--name']);
    const value = optionValue(args, ['--value']);
    return path === undefined || value === undefined ? undefined : { path, values: [value] };
  }
  if (command.name === 'aws' && /^aws secretsmanager put-secret-value /.test(text)) {
    const path = optionValue(args, ['--secret-id']);
    const value = optionValue(args, ['--secret-string']);
    return path === undefined || value === undefined ? undefined : { path, values: [value] };
  }
  if (command.name === 'az' && /^az keyvault secret set /.test(text)) {
    const vault = optionValue(args, ['--vault-name']);
    const name = optionValue(args, ['--name', '-n']);
    const value = optionValue(args, ['--value']);
    return vault === undefined || name === undefined || value === undefined
      ? undefined
      : { path: name, values: [value], store: vault };
  }
  return undefined;
}

/** Checks whether a command writes a secret store by one of the forms read here. */
export function isSecretStoreWrite(command: SimpleCommand): boolean {
  return secretStoreWrite(command) !== undefined;
}

/**
 * Checks that a secret-store write changes the path the user named in a request to set or
 * rotate it, outside production. The writes read are `vault kv put|patch`, `aws ssm
 * put-parameter`, `aws secretsmanager put-secret-value` and `az keyvault secret set`. Every
 * value must be a random value made on the spot or one the user wrote, so no secret is copied
 * from elsewhere into it. Values read from files or standard input are not covered.
 */
export function writesNamedSecretPath(command: SimpleCommand, messages: string): boolean {
  const write = secretStoreWrite(command);
  if (write === undefined || write.path.length < 3 || PRODUCTION_PART.test(` ${write.path} `)) {
    return false;
  }
  const values = write.values;
  const valuesAllowed = values.every(
    (value) =>
      GENERATED_VALUE.test(value) ||
      (!/[$`@]/.test(value) && value !== '-' && value !== '' && containsWord(messages, value)),
  );
  // Every substitution of the command must be one of the generators above.
  const substitutions = command.text.match(/\$\(/g)?.length ?? 0;
  const generated = values.filter((value) => GENERATED_VALUE.test(value)).length;
  return (
    valuesAllowed &&
    !PRODUCTION_PART.test(` ${write.store ?? ''} `) &&
    substitutions === generated &&
    !/`|\$\{?[A-Za-z_]/.test(command.text.replace(/\$\([^)]*\)/g, '')) &&
    requestsVerb(WRITE_VERBS, messages).some((request) => containsWord(request, write.path))
  );
}

/** Privileges a `GRANT` may give. `ALL` needs the user to say "all". */
const PRIVILEGES =
  /^(?:select|insert|update|delete|usage|references|trigger|execute|connect|temporary|temp|create|all(?: privileges)?)$/i;

/** Returns the SQL a database client runs from `-c`, `--command` or `-e`. */
function inlineSql(command: SimpleCommand): string | undefined {
  const names = command.name === 'psql' ? ['-c', '--command'] : ['-e', '--execute'];
  return optionValue(command.argv.slice(1), names);
}

/**
 * Checks that a `psql` or `mysql` call to a database on this machine runs only `GRANT`
 * statements. They must give the roles the user named the privileges they asked for, after a
 * request to grant that calls the database local. `WITH GRANT OPTION`, role grants such as
 * `GRANT admin TO bob`, and any other statement are not covered.
 */
export function grantsNamedLocalPrivileges(command: SimpleCommand, messages: string): boolean {
  if (!['psql', 'mysql', 'mariadb'].includes(command.name) || !targetsLocalDatabase(command)) {
    return false;
  }
  // SQL from a file or standard input would run besides the statements read here.
  const readsMoreSql =
    command.argv.some((arg) => /^(?:-f|--file)(?:=|$)/.test(arg)) ||
    command.redirects.some((redirect) => redirect.operator.startsWith('<')) ||
    (command.pipeline?.index ?? 0) > 0;
  if (readsMoreSql) {
    return false;
  }
  const hosts = databaseHosts(command);
  const sql = inlineSql(command);
  const requests = requestsVerb(String.raw`grant\w*|giv\w*`, messages);
  if (sql === undefined || requests.length === 0 || !LOCAL_DATABASE.test(messages)) {
    return false;
  }
  if (hosts.some((host) => !LOOPBACK_HOST.test(host))) {
    return false;
  }
  const statements = sql
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
  return (
    statements.length > 0 &&
    statements.every((statement) => {
      const grant = /^grant\s+(.+?)\s+on\s+.+?\s+to\s+([\w"'`@%., -]+)$/i.exec(statement);
      if (grant === null || /\bwith\s+grant\s+option\b/i.test(statement)) {
        return false;
      }
      const privileges = (grant[1] ?? '').split(',').map((privilege) => privilege.trim());
      // A MySQL account is `'user'@'host'`, and the user part is the role the request names.
      const grantees = (grant[2] ?? '')
        .split(',')
        .map((role) => role.trim().replace(/@.*$/, '').replace(/["'`]/g, ''));
      return (
        privileges.every(
          (privilege) =>
            PRIVILEGES.test(privilege) &&
            (!/^all\b/i.test(privilege) || requests.some((request) => /\ball\b/i.test(request))),
        ) &&
        grantees.every(
          (role) =>
            /^\w+$/.test(role) &&
            !/^public$/i.test(role) &&
            requests.some((request) => containsWord(request, role)),
        )
      );
    })
  );
}

/** `GRANT SELECT ON [TABLE] OBJECT TO ROLE`: reading of one table or view for one role. */
const READ_GRANT = /^grant\s+select\s+on\s+(?:table\s+)?([\w.]+)\s+to\s+(\w+)$/i;

/**
 * Returns the one environment that the connection words of a database call name, such as
 * `staging` for `"$STAGING_URL"` or `db.stage.acme.dev`, or undefined for none or several.
 */
function connectionEnvironment(words: readonly string[]): string | undefined {
  const names = new Set(
    words
      .flatMap((word) => word.toLowerCase().split(/[^a-z0-9]+/))
      .filter((part) => ENVIRONMENT_NAMES.has(part)),
  );
  return names.size === 1 ? [...names][0] : undefined;
}

/**
 * Checks that a `psql` or `mysql` call to a database of a non-production environment runs
 * only `GRANT SELECT ON OBJECT TO ROLE` statements, after a request to grant that names the
 * object, the role and the environment ("grant SELECT on that view only to app_reader on
 * staging"). The environment is read from the connection words (`"$STAGING_URL"`), which must
 * name exactly one. Writing privileges, `ALL TABLES IN SCHEMA`, `WITH GRANT OPTION`,
 * `PUBLIC`, SQL from files or standard input, and any production name stay with the rules.
 */
export function grantsNamedReadInNamedEnvironment(
  command: SimpleCommand,
  messages: string,
): boolean {
  if (!['psql', 'mysql', 'mariadb'].includes(command.name)) {
    return false;
  }
  const sql = inlineSql(command);
  const readsMoreSql =
    command.argv.some((arg) => /^(?:-f|--file)(?:=|$)/.test(arg)) ||
    command.redirects.some((redirect) => redirect.operator.startsWith('<')) ||
    (command.pipeline?.index ?? 0) > 0;
  if (sql === undefined || readsMoreSql || command.argv.some((arg) => PRODUCTION_PART.test(arg))) {
    return false;
  }
  const connection = command.argv.slice(1).filter((arg) => arg !== sql);
  const environment = connectionEnvironment(connection);
  if (environment === undefined || PRODUCTION_NAMES.has(environment)) {
    return false;
  }
  const statements = sql
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');
  // "Grant SELECT on that view" names the view in the sentence before it. A request may name
  // the environment by the connection word that carries it (`staging-db.acme.internal`).
  const requests = requestTextsWithContext(
    requestsVerb(String.raw`grant\w*|giv\w*`, messages),
    messages,
  ).filter(
    (request) =>
      containsWord(request, environment) ||
      connection.some(
        (word) => connectionEnvironment([word]) === environment && containsWord(request, word),
      ),
  );
  return (
    statements.length > 0 &&
    statements.every((statement) => {
      const [, object = '', role = ''] = READ_GRANT.exec(statement) ?? [];
      return (
        object !== '' &&
        !/^public$/i.test(role) &&
        requests.some((request) => containsWord(request, role) && namesSqlObject(request, object))
      );
    })
  );
}

/** Runners in front of a schema tool, such as `npx` or `pnpm exec`. */
const RUNNER = /^(?:npx|bunx|pnpm (?:exec|dlx)|yarn(?: dlx)?|bun x) /;
/** Schema pushes that drop what the schema no longer has, with their database URL option. */
const SCHEMA_PUSH =
  /^(?:prisma db push(?: --(?:accept-data-loss|skip-generate|force-reset))+|drizzle-kit push(?: --(?:force|strict|verbose|dialect[= ]\w+|url[= ]\S+))+)$/;
/** Words that accept losing the data of a database. */
const ACCEPTS_LOSS =
  /\b(?:data[- ]loss|los(?:e|ing) (?:the |its |all )?data)\b.{0,20}\b(?:fine|ok|okay|acceptable|expected)\b|\b(?:fine|ok|okay)\b.{0,20}\b(?:to )?los(?:e|ing) (?:the |its |all )?data\b|\bthrow-?away\b|\bdisposable\b|\bdon'?t care about (?:the|its) data\b/i;

/**
 * Checks that a schema push that may drop columns or tables goes to a database on this machine.
 * The pushes read are `prisma db push --accept-data-loss` and `drizzle-kit push --force`, with
 * the database given by `DATABASE_URL` on the command or `--url`. A request must ask to push
 * the schema, call the database local and accept losing its data. A URL from the environment or
 * a `.env` file is not seen, so such a push is not covered.
 */
export function pushesSchemaToLocalDatabase(command: SimpleCommand, messages: string): boolean {
  const text = command.argv.join(' ').replace(RUNNER, '');
  if (command.dynamic || !SCHEMA_PUSH.test(text)) {
    return false;
  }
  const urls = [
    ...command.assignments
      .map((assignment) => /^DATABASE_URL=(.*)$/.exec(assignment)?.[1])
      .filter((url) => url !== undefined),
    ...[optionValue(command.argv, ['--url'])].filter((url) => url !== undefined),
  ];
  const local =
    urls.length > 0 &&
    urls.every((url) => {
      const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/?\s]+)/i.exec(url)?.[1];
      return host !== undefined && LOOPBACK_HOST.test(host) && !PRODUCTION_PART.test(` ${url} `);
    });
  return (
    local &&
    LOCAL_DATABASE.test(messages) &&
    asksWithout(ACCEPTS_LOSS, messages) &&
    !/\b(?:not|never)\b|n't\b/i.test(ACCEPTS_LOSS.exec(messages)?.[0] ?? '') &&
    requestsVerb(String.raw`push\w*|sync\w*|appl\w*|updat\w*`, messages).some((request) =>
      /\bschema\b/i.test(request),
    )
  );
}

/** One `DROP DATABASE [IF EXISTS] name` statement. */
const SQL_DROP_DATABASE =
  /^\s*drop\s+database\s+(?:if\s+exists\s+)?("?[\w-]+"?|`[\w-]+`)\s*;?\s*$/i;

/**
 * Checks that `docker exec CONTAINER psql -c SQL` (or `podman exec`, `mysql -e`) runs SQL the
 * user asked for on the database inside a container of this machine's daemon. The SQL must be
 * one `DROP DATABASE` of a database a delete request names, or a drop, truncate or row delete
 * that the checks for a local client accept. The user must name the container or call it their
 * local or docker container. The client must use the container's own server (no remote host).
 * Not covered are a remote daemon (`-H`, `--context`, `DOCKER_HOST`) and environment set for
 * the exec (`-e PGHOST=…`). Nor are SQL from a file or standard input, several statements or
 * SQL options, psql meta-commands (`\!` runs a shell) and output written to a file.
 */
export function runsRequestedSqlInContainer(command: SimpleCommand, messages: string): boolean {
  const exec = containerExec(command.argv);
  if (exec === undefined || !execsOnLocalDaemon(command)) {
    return false;
  }
  const sql = containerClientSql(command, exec);
  const namesContainer =
    containsWord(messages, exec.container) ||
    /\b(?:local|docker|my)\b[^.!?\n]{0,40}\bcontainer\b/i.test(messages);
  if (sql === undefined || !namesContainer) {
    return false;
  }
  const database = SQL_DROP_DATABASE.exec(sql)?.[1]?.replace(/["`]/g, '');
  if (database !== undefined) {
    return consentsToAction(
      { verb: 'delete', targets: [[database]], scope: [] },
      [database],
      messages,
    );
  }
  return dropsRequestedTable(sql, messages) || deletesRequestedRows(sql, messages);
}

/**
 * Checks that a `docker` or `podman` exec goes to this machine's daemon and gets no input from
 * a pipe or a `<` redirect.
 */
function execsOnLocalDaemon(command: SimpleCommand): boolean {
  const daemonOptions = command.argv.slice(1, command.argv.indexOf('exec'));
  return (
    ['docker', 'podman'].includes(command.name) &&
    !command.dynamic &&
    !command.assignments.some((assignment) => assignment.startsWith('DOCKER_HOST=')) &&
    !daemonOptions.some((arg) =>
      /^(?:-H|--host|-c|--context|--url|--connection)(?:=|$)/.test(arg),
    ) &&
    (command.pipeline?.index ?? 0) === 0 &&
    !command.redirects.some((redirect) => redirect.operator.startsWith('<'))
  );
}

/**
 * Returns the one SQL statement that `psql -c` or `mysql -e` runs in the container of `exec`
 * on the container's own server. Returns undefined for a remote host, environment set for the
 * exec, SQL or output files, several statements and psql meta-commands.
 */
function containerClientSql(command: SimpleCommand, exec: ContainerExec): string | undefined {
  const [client = '', ...clientArgs] = exec.argv;
  const inner: SimpleCommand = { ...command, name: client, argv: exec.argv, assignments: [] };
  // Exec options before the container may set the client's host (`-e PGHOST=…`).
  const execOptions = command.argv.slice(command.argv.indexOf('exec') + 1, exec.start - 1);
  const sqlOption = client === 'psql' ? /^(?:-c|--command)(?:=|$)/ : /^(?:-e|--execute)(?:=|$)/;
  if (
    !['psql', 'mysql', 'mariadb'].includes(client) ||
    execOptions.some((arg) => /^(?:-e|--env|--env-file)(?:=|$)/.test(arg)) ||
    databaseHosts(inner).some((host) => !LOOPBACK_HOST.test(host)) ||
    clientArgs.some((arg) =>
      /^(?:-f|--file|-o|--output|-L|--log-file|--tee|--pager)(?:=|$)/.test(arg),
    ) ||
    clientArgs.filter((arg) => sqlOption.test(arg)).length !== 1
  ) {
    return undefined;
  }
  const sql = inlineSql(inner);
  // A backslash starts a psql meta-command such as `\! rm -rf …`, which runs a shell.
  if (sql === undefined || sql.replace(/;\s*$/, '').includes(';') || sql.includes('\\')) {
    return undefined;
  }
  return sql;
}

/**
 * Checks that every command is a container exec {@link runsRequestedSqlInContainer} accepts, or
 * the database client that one of those runs in its container. The guard also reads such a
 * client as a command of its own.
 */
export function runsOnlyRequestedContainerSql(
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const accepted = commands.filter((command) => runsRequestedSqlInContainer(command, messages));
  const runInAccepted = (command: SimpleCommand): boolean =>
    accepted.some(
      (outer) =>
        outer.argv.length > command.argv.length &&
        outer.argv.slice(-command.argv.length).join('\0') === command.argv.join('\0'),
    );
  return (
    accepted.length > 0 &&
    commands.every((command) => accepted.includes(command) || runInAccepted(command))
  );
}
