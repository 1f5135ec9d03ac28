/**
 * Stage-1 check for a whole bucket removed after a request for part of it: "delete the old
 * builds in the acme-builds bucket, only the 2024/ prefix" followed by
 * `aws s3 rb s3://acme-builds --force`. Naming the bucket consents to acting in it, and the
 * cloud-delete rule accepts that, but the prefix, folder or age the request gives limits the
 * delete to some of its objects.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const STORAGE_CLIS = new Set(['aws', 'gsutil', 'gcloud', 's3cmd', 'az', 'rclone']);

/** Gate of {@link checkWholeBucketDeletes}, which judges only object storage clients. */
export const WHOLE_BUCKET_DELETES_GATE: CheckGate = { programs: STORAGE_CLIS };

/**
 * Words that limit a delete to some objects of a bucket: a prefix, folder or path, a word that
 * ends in `/` (`2024/`), "only the", or an age ("older than", "from last year").
 */
const PART_OF_BUCKET =
  /\b(?:prefix(?:es)?|folders?|subfolders?|director(?:y|ies)|paths?|keys? under)\b|[\w.-]\/(?=[\s,.;:!?)'"]|$)|\b(?:only|just) (?:the|those|what)\b|\bolder than\b|\bfrom (?:last|before) (?:year|month|week)\b/i;
/** Words that ask for the bucket itself to go. */
const WHOLE_BUCKET =
  /\b(?:whole|entire(?:ly)?|everything|all of it|the bucket itself|(?:delete|remove|drop) (?:the|that|this) (?:\S+ )?bucket\b(?! (?:of|in)\b))/i;

/** A storage URI with no key below the bucket: `s3://b`, `gs://b/`, `gs://b/**`. */
const BUCKET_ROOT = /^(?:s3|gs|az|wasbs?):\/\/[^/\s]+\/?(?:\*\*?)?$/;

function isRecursive(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--recursive' || arg === '-r' || arg === '-R' || arg === '-rf');
}

/**
 * Checks whether `command` removes a bucket or every object in it: `aws s3 rb`,
 * `aws s3api delete-bucket`, `gsutil rb`, `gcloud storage buckets delete`, `s3cmd rb`,
 * `az storage container delete`, `rclone purge`, or a recursive delete of a bucket's root.
 */
export function removesWholeBucket(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  const words = args.filter((arg) => !arg.startsWith('-'));
  const [first = '', second = '', third = ''] = words;
  switch (command.name) {
    case 'aws':
      return (
        (first === 's3' && second === 'rb') ||
        (first === 's3api' && second === 'delete-bucket') ||
        (first === 's3' && second === 'rm' && isRecursive(args) && BUCKET_ROOT.test(third))
      );
    case 'gsutil':
      return first === 'rb' || (first === 'rm' && isRecursive(args) && words.some(isBucketRoot));
    case 'gcloud':
      return (
        first === 'storage' &&
        ((second === 'buckets' && third === 'delete') ||
          (second === 'rm' && words.some(isBucketRoot)))
      );
    case 's3cmd':
      return first === 'rb' || (first === 'del' && isRecursive(args) && words.some(isBucketRoot));
    case 'az':
      return first === 'storage' && second === 'container' && third === 'delete';
    case 'rclone':
      return first === 'purge' && /^[\w-]+:[^/]*\/?$/.test(second);
    default:
      return false;
  }
}

function isBucketRoot(word: string): boolean {
  return BUCKET_ROOT.test(word);
}

/**
 * Returns a finding for a command that removes a whole bucket when the request limits the
 * delete to part of it and never asks for the bucket itself to go. `allMessages` keeps the
 * "only" clauses that consent reading drops.
 */
export function checkWholeBucketDeletes(
  parsed: ParsedShell,
  allMessages: string,
): Finding | undefined {
  const remover = parsed.commands.find(
    (command) => STORAGE_CLIS.has(command.name) && removesWholeBucket(command),
  );
  if (
    remover === undefined ||
    !PART_OF_BUCKET.test(allMessages) ||
    asksWithout(WHOLE_BUCKET, allMessages)
  ) {
    return undefined;
  }
  return finding(
    'cloud-mass-delete',
    `The command removes a whole bucket with \`${remover.name}\`, while the request limits the delete to part of it`,
    'whole-bucket-delete',
  );
}
