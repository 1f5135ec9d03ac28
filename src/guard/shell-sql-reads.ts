/**
 * Database queries run through a shell client (`psql -c`, `mysql -e`, `sqlite3 DB SQL`,
 * `clickhouse-client -q`, `duckdb -c`, `mongosh --eval`, a heredoc, or a `psql -f` file that
 * a heredoc of the same line writes). Each query is judged by the rules for MCP SQL tools: a
 * read of password hashes or credential columns that no message names, and a read of people's
 * personal data on a production database beyond what the user asked for. A client reaches
 * production when its host, URI, service or database name says `prod`, `production` or
 * `prd`, or when the user calls the connection production.
 *
 * NOTE: a database named only by a bare operand (`psql app_production`), an exported `PGHOST`
 * and SQL files that no heredoc of the line writes are not read here.
 */
import path from 'node:path';
import type { CheckGate } from './check-gates.js';
import { containerExec } from './container-execs.js';
import type { Finding } from './findings.js';
import { connectionIsProduction, personalDataRead, sqlCredentialRead } from './mcp-reads.js';
import { databaseHosts } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Options and operands by which a client takes its query text. */
interface ClientSyntax {
  /** Options whose value is query text. */
  query: ReadonlySet<string>;
  /** Options whose value is a script file. */
  file: ReadonlySet<string>;
  /** True when the operands after the database file are query text (`sqlite3 app.db 'SQL'`). */
  operandQuery: boolean;
  /** True when the query language is the MongoDB shell's JavaScript. */
  mongo: boolean;
  /** Short option letter of the query that may end a group of flags (`psql -Atc SQL`). */
  grouped?: string;
}

const PSQL: ClientSyntax = {
  query: new Set(['-c', '--command']),
  file: new Set(['-f', '--file']),
  operandQuery: false,
  mongo: false,
  grouped: 'c',
};
const MYSQL: ClientSyntax = {
  query: new Set(['-e', '--execute']),
  file: new Set(),
  operandQuery: false,
  mongo: false,
  grouped: 'e',
};
const SQLITE: ClientSyntax = {
  query: new Set(['-cmd', '-c']),
  file: new Set(['-init', '-f']),
  operandQuery: true,
  mongo: false,
};
const CLICKHOUSE: ClientSyntax = {
  query: new Set(['-q', '--query']),
  file: new Set(['--queries-file']),
  operandQuery: false,
  mongo: false,
};
const MONGO: ClientSyntax = {
  query: new Set(['--eval']),
  file: new Set(['--file', '-f']),
  operandQuery: false,
  mongo: true,
};

/** Database clients by program name. */
const CLIENTS = new Map<string, ClientSyntax>([
  ['psql', PSQL],
  ['pgcli', PSQL],
  ['usql', PSQL],
  ['mysql', MYSQL],
  ['mariadb', MYSQL],
  ['mycli', MYSQL],
  ['sqlite3', SQLITE],
  ['sqlite', SQLITE],
  ['duckdb', SQLITE],
  ['litecli', SQLITE],
  ['clickhouse-client', CLICKHOUSE],
  ['clickhouse', CLICKHOUSE],
  ['mongosh', MONGO],
  ['mongo', MONGO],
]);

/** Programs that run a client in a container: `docker exec pg psql -c …`. */
const CONTAINER_RUNNERS = ['docker', 'podman', 'docker-compose', 'kubectl'];

/** Gate of {@link checkShellSqlReads}: the clients of {@link CLIENTS} and container runners. */
export const SHELL_SQL_READS_GATE: CheckGate = {
  programs: new Set([...CLIENTS.keys(), ...CONTAINER_RUNNERS]),
};

/** Clients whose database is a file on this machine, never a production server by its name. */
const FILE_CLIENTS = new Set(['sqlite3', 'sqlite', 'duckdb', 'litecli']);
/** Options whose value names the database or a libpq service. */
const DATABASE_OPTIONS = /^(?:-d|--dbname|--database|-D|--service)$/;
/** Environment variables that name the server, database or libpq service. */
const DATABASE_VARIABLES = /^(?:PGHOST|PGDATABASE|PGSERVICE|MYSQL_HOST|CLICKHOUSE_HOST)=(.*)$/;
/** A name part that marks a production server or database: `db-prod`, `app_production`. */
const PRODUCTION_PART = /(?:^|[^a-z0-9])(?:prod\d*|production|prd)(?:[^a-z0-9]|$)/i;

/**
 * Finds a shell database client whose query reads credential tables or columns that no
 * message names, or personal data on a production database that the user did not ask for.
 */
export function checkShellSqlReads(
  parsed: ParsedShell,
  userMessages: readonly string[],
  messages: string,
): Finding | undefined {
  for (const outer of parsed.commands) {
    const { command, production } = clientCommand(outer);
    const syntax = CLIENTS.get(command.name);
    if (syntax === undefined || (command.name === 'clickhouse' && command.argv[1] !== 'client')) {
      continue;
    }
    const statements = queryStatements(command, syntax, parsed);
    const credential = statements
      .map((sql) => sqlCredentialRead(sql, messages))
      .find((read) => read !== undefined);
    if (credential !== undefined) {
      return {
        category: 'credential-exploration',
        reason: `The ${command.name} query reads "${credential}", which holds passwords, hashes or tokens`,
        rule: 'stage1:shell-sql-credentials',
      };
    }
    if (!production && !reachesProduction(command) && !connectionIsProduction(userMessages)) {
      continue;
    }
    const personal = statements
      .map((sql) => personalDataRead(sql, messages))
      .find((read) => read !== undefined);
    if (personal !== undefined) {
      return {
        category: 'production-read',
        reason: `The ${command.name} query reads personal data (${personal}) on a production database, which the user did not ask for`,
        rule: 'stage1:shell-sql-production-personal',
      };
    }
  }
  return undefined;
}

/**
 * Returns the client that `command` runs: the command itself, or the command of a container
 * exec, which reaches production when the container, namespace or context names production
 * (`kubectl --context prod exec pg-0 -- psql …`).
 */
function clientCommand(command: SimpleCommand): { command: SimpleCommand; production: boolean } {
  if (!CONTAINER_RUNNERS.includes(command.name)) {
    return { command, production: false };
  }
  const exec = containerExec(command.argv);
  if (exec === undefined) {
    return { command, production: false };
  }
  const inner: SimpleCommand = {
    ...command,
    argv: exec.argv,
    name: path.posix.basename(exec.argv[0] ?? ''),
    assignments: [],
  };
  const production = command.argv.slice(1, exec.start).some((arg) => PRODUCTION_PART.test(arg));
  return { command: inner, production };
}

/**
 * Checks whether a client names a production server or database by its host, URI, libpq
 * connection string, service, database option or environment.
 */
function reachesProduction(command: SimpleCommand): boolean {
  if (FILE_CLIENTS.has(command.name)) {
    return false;
  }
  const names = databaseHosts(command);
  const args = command.argv.slice(1);
  args.forEach((arg, index) => {
    if (DATABASE_OPTIONS.test(args[index - 1] ?? '')) {
      names.push(arg);
    }
    const inline = /^--(?:dbname|database|service)=(.*)$/.exec(arg)?.[1];
    if (inline !== undefined) {
      names.push(inline);
    }
    for (const match of arg.matchAll(/(?:^|\s)(?:dbname|service)=(\S*)/g)) {
      names.push(match[1] ?? '');
    }
    // The database of a URI is its path: `postgres://host/app_production`.
    const uriPath = /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*\/([^?\s]+)/i.exec(arg)?.[1];
    if (uriPath !== undefined) {
      names.push(uriPath);
    }
  });
  for (const assignment of command.assignments) {
    const value = DATABASE_VARIABLES.exec(assignment)?.[1];
    if (value !== undefined) {
      names.push(value);
    }
  }
  return names.some((name) => PRODUCTION_PART.test(name));
}

/**
 * Returns the query statements a client runs, each as SQL text that starts with its keyword:
 * option values, operands after a SQLite database file, the heredoc or here-string, `echo` or
 * `printf` piped in, and a script file that a heredoc of the same line writes. psql
 * meta-commands (`\x`, `\d users`) are dropped, and PostgreSQL's `TABLE users` reads as
 * `SELECT * FROM users`. MongoDB shell reads are written as the SQL they amount to.
 */
function queryStatements(
  command: SimpleCommand,
  syntax: ClientSyntax,
  parsed: ParsedShell,
): string[] {
  const texts: string[] = [];
  const args = command.argv.slice(1);
  let operands = 0;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? args[index + 1] ?? '';
    if (syntax.query.has(option) || syntax.file.has(option)) {
      texts.push(syntax.query.has(option) ? value : writtenFileText(parsed, value));
      index += inline === undefined ? 1 : 0;
    } else if (
      syntax.grouped !== undefined &&
      /^-[a-zA-Z]+$/.test(arg) &&
      arg.endsWith(syntax.grouped)
    ) {
      // Short flags combine with the query option: `psql -Atc 'SELECT …'`, `mysql -Nse 'SELECT …'`.
      texts.push(value);
      index += 1;
    } else if (!arg.startsWith('-') && syntax.operandQuery) {
      operands += 1;
      if (operands > 1) {
        texts.push(arg);
      }
    }
  }
  if (command.stdin !== undefined) {
    texts.push(command.stdin);
  }
  const position = command.pipeline;
  for (const feeder of parsed.commands) {
    if (
      position !== undefined &&
      feeder.pipeline?.id === position.id &&
      feeder.pipeline.index < position.index &&
      (feeder.name === 'echo' || feeder.name === 'printf')
    ) {
      texts.push(feeder.argv.slice(1).join(' ').replace(/\\n/g, '\n'));
    }
  }
  const script = texts.join(';\n');
  return syntax.mongo ? mongoReads(script) : sqlStatements(script);
}

/** Returns the text that a heredoc of the line writes to `file` (`cat > FILE <<EOF`, `tee FILE`). */
function writtenFileText(parsed: ParsedShell, file: string): string {
  const writer = parsed.commands.find(
    (command) =>
      command.stdin !== undefined &&
      ((command.name === 'cat' &&
        command.redirects.some(
          (redirect) => redirect.operator.startsWith('>') && redirect.target === file,
        )) ||
        (command.name === 'tee' && command.argv.includes(file))),
  );
  return writer?.stdin ?? '';
}

/** Splits SQL script text into statements, without psql meta-command lines or comments. */
function sqlStatements(script: string): string[] {
  if (!/\b(?:select|table)\b/i.test(script)) {
    return [];
  }
  return script
    .replace(/^\s*\\.*$/gm, '')
    .replace(/--.*$/gm, '')
    .split(';')
    .map((statement) => statement.trim().replace(/^table\s+([\w."]+)\s*$/i, 'SELECT * FROM $1'))
    .filter((statement) => /^(?:select|with)\b/i.test(statement));
}

/** `db.NAME.find(FILTER, PROJECTION)` or `db.getCollection('NAME').find(…)`, with flat objects. */
const MONGO_FIND =
  /\bdb\s*\.\s*(?:getCollection\(\s*['"]([\w.-]+)['"]\s*\)|(\w+))\s*\.\s*find(?:One)?\s*\(\s*(\{[^{}()]*\})?\s*(?:,\s*(\{[^{}()]*\}))?/g;

/**
 * Returns MongoDB shell reads as the SQL they amount to: `db.users.find({}, {email: 1})` as
 * `SELECT email FROM users`, a find without a projection as `SELECT *`, and each string a
 * filter matches as `key = 'value'`.
 */
function mongoReads(script: string): string[] {
  const reads: string[] = [];
  for (const match of script.matchAll(MONGO_FIND)) {
    const collection = match[1] ?? match[2] ?? '';
    const projected = [...(match[4] ?? '').matchAll(/['"]?(\w+)['"]?\s*:\s*(?:1|true)\b/g)].map(
      (field) => field[1] ?? '',
    );
    const pinned = [...(match[3] ?? '').matchAll(/['"]?(\w+)['"]?\s*:\s*['"]([^'"]*)['"]/g)].map(
      (field) => `${field[1] ?? ''} = '${field[2] ?? ''}'`,
    );
    const where = pinned.length > 0 ? ` WHERE ${pinned.join(' AND ')}` : '';
    const columns = projected.length > 0 ? projected.join(', ') : '*';
    reads.push(`SELECT ${columns} FROM ${collection}${where}`);
  }
  return reads;
}
