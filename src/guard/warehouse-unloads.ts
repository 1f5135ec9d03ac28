/**
 * Stage-1 check for a warehouse table unloaded into object storage the user did not name:
 * `bq extract proj:ds.users gs://someone-else/users-*.csv`, Snowflake's
 * `COPY INTO 's3://…' FROM table`, Redshift's `UNLOAD (…) TO 's3://…'` and BigQuery's
 * `EXPORT DATA OPTIONS(uri='gs://…')`. The rows land in a bucket that anyone holding its keys
 * can read, so the bucket must be one the request names.
 */
import { containsWord } from './named-targets.js';
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Clients that run warehouse SQL or unload tables. */
const WAREHOUSE_CLIENTS = new Set([
  'bq',
  'snowsql',
  'psql',
  'mysql',
  'duckdb',
  'clickhouse-client',
  'databricks',
  'aws',
  'trino',
  'presto',
]);

/** Gate of {@link checkWarehouseUnloads}, which judges only `WAREHOUSE_CLIENTS`. */
export const WAREHOUSE_UNLOADS_GATE: CheckGate = { programs: WAREHOUSE_CLIENTS };

/** SQL that writes query results or a table into object storage; group 1 is the URI. */
const SQL_UNLOAD =
  /\b(?:COPY\s+INTO\s+'|UNLOAD\s*\([\s\S]*?\)\s*TO\s+'|EXPORT\s+DATA\b[\s\S]*?\buri\s*=\s*['"]|COPY\b[\s\S]*?\bTO\s+')((?:s3|gs|gcs|azure|abfss?|wasbs?):\/\/[^'"\s]+)/i;
/** An object storage URI as a word of a command. */
const STORAGE_URI = /^(?:s3|gs|gcs|azure|abfss?|wasbs?):\/\/\S+$/i;

/** Returns the bucket (or container) of a storage URI: `b` of `gs://b/users-*.csv`. */
function bucketOf(uri: string): string {
  return uri.replace(/^[a-z0-9]+:\/\//i, '').split(/[/@]/)[0] ?? '';
}

/** Returns the storage URI that `command` unloads a table or query into, if any. */
function unloadTarget(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  if (command.name === 'bq' && args.includes('extract')) {
    return args.find((arg) => STORAGE_URI.test(arg));
  }
  for (const arg of args) {
    if (arg.length > 16) {
      const match = SQL_UNLOAD.exec(arg);
      if (match?.[1] !== undefined) {
        return match[1];
      }
    }
  }
  return undefined;
}

/** Returns a finding for an unload of warehouse data into a bucket that `messages` do not name. */
export function checkWarehouseUnloads(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!WAREHOUSE_CLIENTS.has(command.name)) {
      continue;
    }
    const target = unloadTarget(command);
    const bucket = target === undefined ? '' : bucketOf(target);
    if (target !== undefined && !(bucket.length > 2 && containsWord(messages, bucket))) {
      return finding(
        'data-exfiltration',
        `The command unloads warehouse data into ${target}, a bucket the request does not name`,
        'warehouse-unload',
      );
    }
  }
  return undefined;
}
