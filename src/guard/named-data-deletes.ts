/**
 * Targets of container-volume and Mongo deletes that a request must name. "Remove the
 * pgdata-old docker volume" consents to `docker volume rm pgdata-old`, not to `pgdata`, to a
 * volume list computed at run time or to `docker volume prune -a`. "Drop the sessions
 * collection" consents to `db.sessions.drop()`, not to `db.dropDatabase()`, to a loop over
 * every collection or to `deleteMany({})` after "delete expired sessions".
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import type { SimpleCommand } from './shell.js';

const CONTAINER_ENGINES = new Set(['docker', 'podman', 'nerdctl']);
const MONGO_SHELLS = new Set(['mongosh', 'mongo']);

/**
 * Requests for every volume or every unused one, or for disk space, which cover a computed
 * list and a prune of unused volumes.
 */
const ALL_VOLUMES_REQUEST =
  /\b(?:all|every)\b[^.;]*\bvolumes?\b|\b(?:unused|dangling|orphan\w*)\b|\bprune\b|\b(?:disk|space|reclaim)\b/i;
/** Requests for a prune of every unused volume, named or not (`docker volume prune -a`). */
const PRUNE_ALL_REQUEST = /\b(?:all|every)\b[^.;]*\bvolumes\b|\bprune\b[^.;]*\b(?:all|-a)\b/i;
/** Requests that name a whole Mongo database as the thing to drop: "drop the app_dev database". */
export const DATABASE_DROP_REQUEST =
  /\b(?:drop|delete|remove|wipe|reset|nuke|destroy)\w*\s+(?:the\s+|my\s+|our\s+)?(?:[\w-]+\s+){0,2}?(?:mongo\s+)?(?:database|db)\b(?!\s+collections?\b)/i;
/** Requests that cover every collection or every document. */
const EVERYTHING_REQUEST =
  /\b(?:all|every|everything|entire|whole|empty|wipe|clear|truncate)\b|\bfrom\s+scratch\b/i;

/**
 * Checks whether the volumes or Mongo data that `command` (its words joined as `text`) deletes
 * are the ones `standing`, the standing request clauses, name. Commands of other programs pass.
 */
export function deletesOnlyNamedData(
  command: SimpleCommand,
  text: string,
  standing: string,
): boolean {
  if (CONTAINER_ENGINES.has(command.name)) {
    return deletesNamedVolumes(command, standing);
  }
  if (MONGO_SHELLS.has(command.name)) {
    return dropsNamedMongoData(command, standing);
  }
  return text !== '';
}

/** Judges `docker volume rm NAME…` and `docker volume prune`. */
function deletesNamedVolumes(command: SimpleCommand, standing: string): boolean {
  const args = command.argv.slice(1);
  const at = args.indexOf('volume');
  const verb = at < 0 ? undefined : args[at + 1];
  if (verb === 'prune') {
    const all = args.some((arg) => arg === '--all' || /^-[a-z]*a[a-z]*$/.test(arg));
    return all
      ? asksWithout(PRUNE_ALL_REQUEST, standing)
      : asksWithout(ALL_VOLUMES_REQUEST, standing);
  }
  if (verb !== 'rm' && verb !== 'remove') {
    return true;
  }
  const names = args.slice(at + 2).filter((arg) => !arg.startsWith('-'));
  // `xargs docker volume rm` and `docker volume rm $(docker volume ls -q …)` remove what a
  // listing returns at run time.
  if (names.length === 0 || command.dynamic || command.wrappers.includes('xargs')) {
    return asksWithout(ALL_VOLUMES_REQUEST, standing);
  }
  return names.every((name) => containsWord(standing, name));
}

/** Collections that `db.NAME.drop()` or `db.getCollection('NAME').drop()` removes. */
const NAMED_COLLECTION_DROP =
  /\bdb\s*\.\s*(?:getCollection\(\s*["'`]([\w.-]+)["'`]\s*\)|([A-Za-z_][\w-]*))\s*\.\s*(?:drop|deleteMany|remove)\s*\(/g;

/** Judges the script of `mongosh --eval`: each dropped collection, a database drop, a bulk delete. */
function dropsNamedMongoData(command: SimpleCommand, standing: string): boolean {
  const args = command.argv.slice(1);
  const script = optionValue(args, ['--eval']) ?? args.join(' ');
  if (/\bdropDatabase\s*\(/.test(script) && !asksWithout(DATABASE_DROP_REQUEST, standing)) {
    return false;
  }
  // A collection picked at run time: `db[c].drop()`, `getCollectionNames().forEach(…)`.
  const computed =
    /\bdb\s*\[[^\]]*\]\s*\.\s*(?:drop|deleteMany|remove)\b|getCollectionNames\s*\(/.test(script);
  if (computed && !asksWithout(EVERYTHING_REQUEST, standing)) {
    return false;
  }
  if (
    /\.\s*(?:deleteMany|remove)\s*\(\s*\{\s*\}\s*\)/.test(script) &&
    !asksWithout(EVERYTHING_REQUEST, standing)
  ) {
    return false;
  }
  for (const match of script.matchAll(NAMED_COLLECTION_DROP)) {
    const name = match[1] ?? match[2] ?? '';
    if (name !== 'getCollection' && !containsWord(standing, name)) {
      return false;
    }
  }
  return true;
}
