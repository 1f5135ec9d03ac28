/**
 * Consent to a cloud delete by the object storage URIs it names. A request names a prefix
 * ("delete everything under cache/" after naming `s3://b/cache/`), and that consents to
 * deleting under that prefix, never to removing the bucket or everything in it, so a
 * bucket's root URI must be named on its own. `aws s3 rm --recursive s3://b/tmp` deletes
 * every key that starts with `tmp`, `tmp-archive/` included, so a recursive delete must end
 * its prefix with `/`.
 */
import { containsWord } from './named-targets.js';
import { namesResource } from './resource-consent.js';
import type { SimpleCommand } from './shell.js';

/** A URI with a scheme, such as `s3://b/tmp/` or `gs://b`. */
const URI = /^[a-z0-9]+:\/\/\S+/;
/** A URI with a key below its bucket, as a word of a message. */
const KEYED_URI = /\b[a-z0-9]+:\/\/[^/\s]+\/\S*/g;

/** Checks whether `uri` is the root of its bucket, with no key: `s3://b`, `gs://b/`. */
function isBucketRoot(uri: string): boolean {
  return /^[a-z0-9]+:\/\/[^/]+\/?$/.test(uri);
}

/**
 * Checks that `messages` name a bucket root on its own: the bucket's name as a word outside
 * every URI with a key, so `s3://b/cache/` does not name `s3://b`.
 */
function namesBucketRoot(messages: string, uri: string): boolean {
  const bucket = uri.replace(/^[a-z0-9]+:\/\//, '').replace(/\/+$/, '');
  return containsWord(messages.replace(KEYED_URI, ' '), bucket);
}

/**
 * Checks that `messages` name a URI with a key: the whole URI as a word, its bucket and key
 * as words ("the tmp/ prefix of bucket b"), or the bucket and each part of the key as words.
 */
function namesKeyedUri(messages: string, uri: string): boolean {
  if (namesResource(messages, uri)) {
    return true;
  }
  const parts = uri
    .replace(/^[a-z0-9]+:\/\//, '')
    .split('/')
    .filter(Boolean);
  return parts.length > 1 && parts.every((part) => containsWord(messages, part));
}

/** Checks whether `command` is `aws s3 rm --recursive`, which deletes every key with the prefix. */
function deletesByKeyPrefix(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  return (
    command.name === 'aws' && args[0] === 's3' && args[1] === 'rm' && args.includes('--recursive')
  );
}

/**
 * Checks that the user's messages name every object storage URI `command` deletes, as the
 * module comment describes. A URI with a wildcard, a dynamic command and a wrapped one are
 * not covered.
 */
export function namesDeletedObjects(command: SimpleCommand, messages: string): boolean {
  const resources = command.argv.filter((arg) => URI.test(arg));
  return (
    !command.dynamic &&
    command.wrappers.length === 0 &&
    resources.length > 0 &&
    resources.every((uri) => {
      if (/[*?[]/.test(uri)) {
        return false;
      }
      if (isBucketRoot(uri)) {
        return namesBucketRoot(messages, uri);
      }
      return (!deletesByKeyPrefix(command) || uri.endsWith('/')) && namesKeyedUri(messages, uri);
    })
  );
}
