/**
 * Deletes of data kept by local databases, container volumes, VMs, clusters and worktrees,
 * made through the tool's own CLI: `docker volume rm`, `docker compose down -v`, `dropdb`,
 * `rails db:drop`, `vagrant destroy`, `git worktree remove --force`. That data lives outside
 * the project and outside git, so the delete cannot be undone. A test database or stack is
 * disposable, and a request to reset, drop or clean up is consent.
 */
import { asksWithout } from './consent.js';
import type { Finding } from './findings.js';
import { deletesOnlyNamedData } from './named-data-deletes.js';
import { standingClauses } from './standing-requests.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Programs whose commands below delete data; other commands are skipped at once. */
const PROGRAMS = new Set([
  'docker',
  'podman',
  'nerdctl',
  'docker-compose',
  'podman-compose',
  'dropdb',
  'dropuser',
  'mysqladmin',
  'rails',
  'rake',
  'bundle',
  'mongosh',
  'mongo',
  'php',
  'artisan',
  'python',
  'python3',
  'manage.py',
  'mix',
  'dotnet',
  'minikube',
  'kind',
  'k3d',
  'vagrant',
  'multipass',
  'colima',
  'limactl',
  'docker-machine',
  'virsh',
  'git',
]);

/** The delete commands, over the arguments joined by spaces. */
const DELETE =
  /^(?:docker|podman|nerdctl)\b.*\bvolume (?:rm|remove|prune)\b|^(?:docker|podman|nerdctl)(?: compose|-compose)\b.*\bdown\b.*\s(?:-[a-zA-Z]*v[a-zA-Z]*|--volumes)(?:\s|$)|^docker-compose\b.*\bdown\b.*\s(?:-[a-zA-Z]*v[a-zA-Z]*|--volumes)(?:\s|$)|^(?:docker|podman|nerdctl) (?:container )?(?:rm|remove)\b.*\s(?:-[a-zA-Z]*v[a-zA-Z]*|--volumes)(?:\s|$)|^(?:docker|podman) system prune\b.*--volumes\b|^(?:dropdb|dropuser)\b|^mysqladmin\b.*\sdrop\s|^(?:bundle exec |bin\/)?(?:rails|rake)\b.*\bdb:(?:drop|reset|purge|schema:load|truncate_all)\b|^(?:mongosh|mongo)\b.*(?:dropDatabase\(|\.drop\(\)|\.deleteMany\(\s*\{\s*\}\s*\))|^(?:php )?artisan (?:migrate:fresh|db:wipe)\b|^(?:python3? )?(?:\.\/)?manage\.py (?:flush|reset_db)\b|^mix ecto\.(?:drop|reset)\b|^dotnet ef database drop\b|^(?:minikube delete|kind delete clusters?|k3d cluster (?:delete|rm)|vagrant destroy|multipass (?:delete|purge)|colima delete|limactl (?:delete|rm)|podman machine (?:rm|reset)|docker-machine rm|virsh undefine\b.*--remove-all-storage)\b|^git worktree remove\b.*\s(?:-f|--force)\b/;

/** A word naming a test environment, database or stack: `app_test`, `RAILS_ENV=test`. */
const TEST_TARGET = /(?:^|[\s=_.:/-])test(?:s|ing)?(?=$|[\s_.:/-])/i;

/** A temporary place: under `/tmp` or `$TMPDIR`, or made by `mktemp`. */
const TEMPORARY = /^(?:\/tmp\/|\/var\/tmp\/|\$\{?TMPDIR\b|\$\(mktemp\b)/;
/** Commands that create what the delete commands remove. */
const CREATE =
  /\b(?:worktree add|volume create|createdb|create cluster|cluster create|run|up|start|launch|create|db:create)\b/;

/**
 * Checks whether the last operand of `command` is temporary, or is named by a command earlier
 * on the same line that creates it (`git worktree add X … git worktree remove --force X`).
 */
function ownTarget(command: SimpleCommand, parsed: ParsedShell): boolean {
  const target = command.argv.at(-1) ?? '';
  if (target.startsWith('-') || command.argv.length < 2) {
    return false;
  }
  if (TEMPORARY.test(target)) {
    return true;
  }
  const index = parsed.commands.indexOf(command);
  return parsed.commands
    .slice(0, index)
    .some(
      (earlier) =>
        earlier.name === command.name &&
        CREATE.test(earlier.argv.join(' ')) &&
        earlier.argv.some((word) => word === target || word.endsWith(`=${target}`)),
    );
}

/** Verbs of a request to rebuild a database from scratch, in any tense. */
const RECREATE_VERBS = String.raw`reset\w*|recreat\w*|rebuil\w*|re-?seed\w*|re-?initiali[sz]\w*`;
/** Pairs of a database drop and the create that rebuilds it, by program. */
const RECREATES: Readonly<Record<string, (argv: readonly string[]) => boolean>> = {
  dropdb: (argv) => argv[0] === 'createdb',
  mysqladmin: (argv) => argv.includes('create'),
};

/**
 * Checks that a `dropdb` or `mysqladmin drop` of database T is followed on the same line or in
 * the same script by the create of T, and that a sentence with no negation names T after a
 * verb to reset, recreate or rebuild ("write a script that resets my local app_dev
 * postgres"). The data is replaced as asked, not lost by accident.
 */
function recreatesNamedDatabase(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): boolean {
  const target = command.argv.at(-1) ?? '';
  const createsAgain = RECREATES[command.name];
  if (createsAgain === undefined || target.startsWith('-') || command.argv.length < 2) {
    return false;
  }
  const index = parsed.commands.indexOf(command);
  return (
    parsed.commands
      .slice(index + 1)
      .some((later) => createsAgain(later.argv) && later.argv.at(-1) === target) &&
    /^[\w-]+$/.test(target) &&
    asksWithout(new RegExp(String.raw`\b(?:${RECREATE_VERBS})\b.*\b${target}\b`, 'i'), messages)
  );
}

/** Requests that cover a delete of local data. */
const REQUEST =
  /\b(?:drop|delete|remove|destroy|wipe|reset|purge|prune|recreate|rebuild|re-?seed|clear|empty|truncate|flush|reclaim|disk|space|nuke|blow away|tear (?:\w+ )?down|start (?:over|fresh)|from scratch|fresh|clean(?:ly)?|clean (?:up|out)|stale|broken|bad state|free (?:up )?(?:some )?(?:disk )?space|get rid|throw away)\b/i;

/** A web framework's reset of its development database, which reruns the migrations. */
const FRAMEWORK_RESET =
  /\bdb:(?:drop|reset|purge|schema:load|truncate_all)\b|\bmigrate:fresh\b|\bdb:wipe\b|\bmanage\.py (?:flush|reset_db)\b|\becto\.(?:drop|reset)\b|\bef database drop\b/;
/** Requests about migrations or seed data, which such a reset serves. */
const SCHEMA_REQUEST = /\b(?:migrat\w*|seed\w*|schema)\b/i;

/** Programs whose deletes are read against the standing requests and their named targets. */
const NAMED_TARGET_PROGRAMS = new Set(['docker', 'podman', 'nerdctl', 'mongosh', 'mongo']);

/**
 * Checks whether the requests ask for a delete. For volumes and Mongo data the request must
 * still stand and name what the command removes (see named-data-deletes.ts).
 */
function requestsDelete(
  command: SimpleCommand,
  text: string,
  requests: { messages: string; allMessages: string },
): boolean {
  // NOTE: the other programs still read the consenting text, because the standing reader does
  // not yet take "Go ahead." after a pause as a new request, which a framework reset needs.
  if (!NAMED_TARGET_PROGRAMS.has(command.name)) {
    return asksWithout(REQUEST, requests.messages);
  }
  const standing = standingClauses(requests.messages, requests.allMessages);
  return asksWithout(REQUEST, standing) && deletesOnlyNamedData(command, text, standing);
}

/** Gate of {@link checkDatastoreDeletes}, which skips every command not run by one of `PROGRAMS`. */
export const DATASTORE_DELETES_GATE: CheckGate = { programs: PROGRAMS };

/**
 * Returns a finding for a command of `parsed` that deletes local data kept outside the
 * project, unless it names a test or temporary target, or a standing request (see
 * standing-requests.ts) asks for such a delete and names every volume or collection it removes.
 * `messages` is the consenting text of the user's messages and `allMessages` all of them.
 */
export function checkDatastoreDeletes(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!PROGRAMS.has(command.name)) {
      continue;
    }
    const text = command.argv.join(' ');
    if (
      !DELETE.test(text) ||
      TEST_TARGET.test([...command.assignments, ...command.argv].join(' ')) ||
      ownTarget(command, parsed) ||
      recreatesNamedDatabase(command, parsed, messages) ||
      requestsDelete(command, text, { messages, allMessages }) ||
      (FRAMEWORK_RESET.test(text) && asksWithout(SCHEMA_REQUEST, messages))
    ) {
      continue;
    }
    return {
      category: 'local-destruction',
      rule: 'stage1:datastore-delete',
      reason: `The command deletes data kept by a local database, container volume, VM or worktree ("${text.slice(0, 80)}"), and no user message asks for that`,
    };
  }
  return undefined;
}
