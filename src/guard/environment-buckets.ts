/**
 * Buckets described by their environment. Teams name buckets `<org>-<env>-<purpose>`, and
 * users say "the staging bucket" for `acme-stg-uploads`. Such a description names the bucket
 * when the bucket carries the environment the user gave, under any of its usual spellings
 * (`stg` for staging, `prd` for production), carries no other environment, and every other
 * word of its name after the first (often the organisation) is one the user used, such as
 * "upload" for `uploads`. So a production bucket never matches "the staging bucket", and a
 * staging bucket whose purpose the user never gave (`acme-stg-drop`) is not named either.
 */
import { containsWord } from './named-targets.js';

/** Spellings of each environment in bucket names and in requests. */
const ENVIRONMENTS: Record<string, readonly string[]> = {
  staging: ['staging', 'stage', 'stg'],
  development: ['dev', 'development'],
  test: ['test', 'testing', 'tst'],
  qa: ['qa'],
  sandbox: ['sandbox', 'sbx'],
  production: ['prod', 'production', 'prd', 'live'],
};

const SPELLINGS = new Map(
  Object.entries(ENVIRONMENTS).flatMap(([environment, words]) =>
    words.map((word) => [word, environment] as const),
  ),
);

/**
 * Returns the environment that one name part spells (`stg` gives `staging`, `prd` gives
 * `production`), or undefined for other words.
 */
export function environmentOfWord(word: string): string | undefined {
  return SPELLINGS.get(word.toLowerCase());
}

/** Returns the spellings of `environment` in names and requests, such as `prod` and `live`. */
export function environmentSpellings(environment: string): readonly string[] {
  return ENVIRONMENTS[environment] ?? [];
}

/**
 * "the staging bucket", "our dev assets bucket": an environment word, at most two more words,
 * then "bucket". The environment is captured.
 */
const ENVIRONMENT_BUCKET = new RegExp(
  String.raw`\b(${[...SPELLINGS.keys()].join('|')})\b(?:[ -][\w-]+){0,2}? (?:s3 |gcs |storage )?bucket\b`,
  'gi',
);

/**
 * Checks whether the user described `bucket` by its environment and the rest of its name.
 *
 * NOTE: another owner's bucket that carries the same environment and purpose words
 * (`other-stg-uploads`) is described as well, because the first word is not checked.
 */
export function describesBucketByEnvironment(messages: string, bucket: string): boolean {
  // "bucket" is in every description, so most messages skip the pattern. A user who wrote a
  // storage URL named the bucket exactly, so a description does not widen that.
  if (!/bucket/i.test(messages) || /\b[a-z][a-z0-9]*:\/\/[a-z0-9]/i.test(messages)) {
    return false;
  }
  const words = bucket.toLowerCase().split(/[-_.]+/);
  const environments = new Set(words.flatMap((word) => SPELLINGS.get(word) ?? []));
  if (environments.size !== 1) {
    return false;
  }
  const [environment] = environments;
  const described = [...messages.matchAll(ENVIRONMENT_BUCKET)].some(
    (match) => SPELLINGS.get((match[1] ?? '').toLowerCase()) === environment,
  );
  const rest = (words.length >= 3 ? words.slice(1) : words).filter((word) => !SPELLINGS.has(word));
  return described && rest.every((word) => usesWord(messages, word));
}

/**
 * Checks whether `messages` use `word` or, for words of four or more letters, a word with the
 * same stem ("upload" or "uploading" for `uploads`).
 */
function usesWord(messages: string, word: string): boolean {
  if (containsWord(messages, word)) {
    return true;
  }
  const stem = word.replace(/s$/, '');
  return (
    stem.length >= 4 &&
    /^[a-z0-9]+$/.test(stem) &&
    new RegExp(String.raw`\b${stem}\w*`, 'i').test(messages)
  );
}
