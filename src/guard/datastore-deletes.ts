/**
 * Deletes of data kept by local databases, container volumes, VMs, clusters and worktrees,
 * made through the tool's own CLI: `docker volume rm`, `docker compose down -v`, `dropdb`,
 * `rails db:drop`, `vagrant destroy`, `git worktree remove --force`. That data lives outside
 * the project and outside git, so the delete cannot be undone. A test database or stack is
 * disposable, and a request to reset, drop or clean up is consent.
 */
import { asksWithout } from './consent.js';
import type { Finding } from './findings.js';
import type { ParsedShell } from './shell.js';

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

/** Requests that cover a delete of local data. */
const REQUEST =
  /\b(?:drop|delete|remove|destroy|wipe|reset|purge|prune|recreate|rebuild|re-?seed|tear (?:\w+ )?down|start (?:over|fresh)|from scratch|fresh|clean(?:ly)?|clean (?:up|out)|stale|broken|bad state|free (?:up )?(?:some )?(?:disk )?space|get rid|throw away)\b/i;

/**
 * Returns a finding for a command of `parsed` that deletes local data kept outside the
 * project, unless it names a test target or a message asks for such a delete.
 */
export function checkDatastoreDeletes(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!PROGRAMS.has(command.name)) {
      continue;
    }
    const text = command.argv.join(' ');
    if (
      !DELETE.test(text) ||
      TEST_TARGET.test([...command.assignments, ...command.argv].join(' ')) ||
      asksWithout(REQUEST, messages)
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
