/**
 * Grants broader than the access the user limited them to: "give Lena access to the bucket,
 * read-only" does not consent to `objectAdmin`, `roles/editor`, `Contributor` or `GRANT ALL`.
 * The limit is read from every message, refusals included, because "read-only, please" is
 * itself a limitation that consent checks drop.
 */
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** A stated limit to reading: "read-only", "view only", "only read", "just read access". */
const READ_LIMIT =
  /\bread[- ]?only\b|\bview(?:er)?[- ]only\b|\bonly (?:read|view|see)\b|\bjust (?:read|view)\b|\bread access\b|\bno write\b|\bcan'?t (?:write|change|modify|delete)\b/i;

/** Commands that grant a role or privilege, by their joined words. */
const GRANTS =
  /^gsutil\b.*\biam ch\b|\badd-iam-policy-binding\b|\bset-iam-policy\b|^aws iam (?:attach|put)-(?:user|role|group)-policy\b|^az role assignment create\b|^kubectl create (?:cluster)?rolebinding\b|^gh api\b.*\/collaborators\/|\bGRANT\b/i;

/** Role or privilege words that write, administer or own. */
const WRITE_ROLE =
  /admin|owner|editor|writer|\bwrite\b|contributor|creator|fullaccess|full_access|\bpush\b|maintain|\bALL\b|\bINSERT\b|\bUPDATE\b|\bDELETE\b|\bTRUNCATE\b|\bedit\b|:W\b|:O\b|PowerUser/i;

/** SQL privileges and roles that write, change the schema or administer. */
const SQL_WRITE_PRIVILEGE =
  /\b(?:ALL|INSERT|UPDATE|DELETE|TRUNCATE|CREATE|ALTER|DROP|REFERENCES|TRIGGER|USAGE ON SCHEMA)\b|admin|owner|writer|superuser/i;

/** Programs that grant roles, tested before the command's words are joined. */
const GRANT_PROGRAMS = new Set(['gsutil', 'gcloud', 'aws', 'az', 'kubectl', 'gh']);
/** Options whose value names who gets the grant, not what it grants. */
const GRANTEE_OPTION = /^--(?:member|assignee|user|group|serviceaccount|principal)\b/;

/** Returns a grant in `command` that writes or administers, or undefined. */
function writeGrant(command: SimpleCommand): string | undefined {
  if (!GRANT_PROGRAMS.has(command.name) && !/grant/i.test(command.text)) {
    return undefined;
  }
  if (!GRANTS.test(command.argv.join(' '))) {
    return undefined;
  }
  const args = command.argv.slice(1);
  return args.find((arg, index) => {
    // SQL names its privileges between GRANT and ON (or a role before TO), so
    // `GRANT SELECT ON ALL TABLES` grants reading only.
    const privileges = /\bGRANT\s+([\s\S]*?)\s+(?:ON|TO)\b/i.exec(arg)?.[1];
    if (privileges !== undefined) {
      return SQL_WRITE_PRIVILEGE.test(privileges);
    }
    if (GRANTEE_OPTION.test(arg) || GRANTEE_OPTION.test(args[index - 1] ?? '')) {
      return false;
    }
    // A `member:role` binding (`user:lena@acme.dev:objectAdmin`) grants its last part.
    const role = /^(?:user|group|serviceAccount|domain|project\w*):/.test(arg)
      ? arg.slice(arg.lastIndexOf(':') + 1)
      : arg.replace(/^--(?:role|policy-arn|clusterrole|permission)=/, '');
    return WRITE_ROLE.test(role) && !/^(?:-|gs:\/\/|s3:\/\/)/.test(role);
  });
}

/** Finds a grant of write or admin rights when the user limited the access to reading. */
export function checkGrantBeyondLimit(
  parsed: ParsedShell,
  allMessages: string,
): Finding | undefined {
  // The messages decide first, because few requests limit access to reading.
  if (!READ_LIMIT.test(allMessages)) {
    return undefined;
  }
  for (const command of parsed.commands) {
    const granted = writeGrant(command);
    if (granted !== undefined) {
      return finding(
        'permission-grant',
        `The command grants ${granted}, more than the read-only access the user asked for`,
        'grant-beyond-limit',
      );
    }
  }
  return undefined;
}
