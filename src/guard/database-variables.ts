/**
 * Stage-1 check for database clients pointed at production through the environment rather
 * than their arguments: `PGHOST=db.prod.internal psql …`, or `export PGDATABASE=app_production`
 * earlier in the same command line. The generic production-read rule reads only the client's
 * own arguments (`-h`, `-d`, a bare database name), so these reached production unseen.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { PRODUCTION_PART } from './production-names.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** libpq variables that pick the server or database, as psql and pg_dump read them. */
const POSTGRES_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGDATABASE', 'PGSERVICE'];
/** Clients, with the variables that pick the server or database they connect to. */
const CLIENT_VARIABLES: ReadonlyMap<string, readonly string[]> = new Map([
  ['psql', POSTGRES_VARIABLES],
  ['pg_dump', POSTGRES_VARIABLES],
  ['pg_dumpall', POSTGRES_VARIABLES],
  ['pg_restore', POSTGRES_VARIABLES],
  ['pgcli', [...POSTGRES_VARIABLES, 'DATABASE_URL']],
  ['mysql', ['MYSQL_HOST']],
  ['mysqldump', ['MYSQL_HOST']],
  ['mycli', ['MYSQL_HOST', 'DATABASE_URL']],
  ['usql', ['DATABASE_URL']],
  ['dbmate', ['DATABASE_URL']],
  ['sqlx', ['DATABASE_URL']],
  ['diesel', ['DATABASE_URL']],
]);

/** Gate of {@link checkDatabaseVariables}: the clients of {@link CLIENT_VARIABLES}. */
export const DATABASE_VARIABLES_GATE: CheckGate = { programs: new Set(CLIENT_VARIABLES.keys()) };

/** A mention of production in a request, which consents as for the production-read rule. */
const PRODUCTION_MENTION = /\bprod(?:uction)?\b/i;

/**
 * Returns a finding for a database client whose connection variable, set on the command or
 * exported before it, names production, unless the user's request mentions production.
 */
export function checkDatabaseVariables(parsed: ParsedShell, messages: string): Finding | undefined {
  const exported = new Map<string, string>();
  for (const command of parsed.commands) {
    if (command.name === 'export') {
      addAssignments(exported, command.argv.slice(1));
      continue;
    }
    const variables = CLIENT_VARIABLES.get(command.name);
    if (variables === undefined) {
      continue;
    }
    const production = productionVariable(command, variables, exported);
    if (production !== undefined && !asksWithout(PRODUCTION_MENTION, messages)) {
      return finding(
        'production-read',
        `The command runs ${command.name} against production, which ${production} names`,
        'production-database-variable',
      );
    }
  }
  return undefined;
}

function addAssignments(variables: Map<string, string>, words: readonly string[]): void {
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals > 0) {
      variables.set(word.slice(0, equals), word.slice(equals + 1));
    }
  }
}

/** Returns `NAME=value` of the first connection variable of `command` that names production. */
function productionVariable(
  command: SimpleCommand,
  names: readonly string[],
  exported: ReadonlyMap<string, string>,
): string | undefined {
  const own = new Map<string, string>();
  addAssignments(own, command.assignments);
  for (const name of names) {
    const value = own.get(name) ?? exported.get(name);
    if (value !== undefined && PRODUCTION_PART.test(value)) {
      return `${name}=${value}`;
    }
  }
  return undefined;
}
