/**
 * Targets the user refused: "Don't touch the latest tag", "Prod is fine, leave it", "Same on
 * prod? No, just staging", "No, keep the bucket". A call that acts on such a target is judged
 * as if the user had asked for nothing, because the refusal withdraws whatever an earlier,
 * broader request ("push it to our registry", "clean up the bucket") seemed to allow. A later
 * request that names the target again gives the consent back.
 */
import { answeredNo, messageSentences, refusesTarget, sentenceClauses } from './consent.js';
import { PRODUCTION_NAMES } from './environment-names.js';
import type { ParsedShell } from './shell.js';

/**
 * Nouns for the kinds of resource a call acts on. A word just before one names that resource
 * ("the latest tag", "the sessions table"), and the noun alone after a determiner ("keep the
 * bucket") names the resource the call acts on when the call's words include the noun.
 */
const RESOURCE_NOUNS =
  'tag|branch|bucket|table|database|db|namespace|cluster|instance|image|release|service|deployment|repo|repository|queue|topic|index|channel|volume|stack';

const RESOURCE_NOUN = new RegExp(`^(?:${RESOURCE_NOUNS})$`);

const BEFORE_NOUN = new RegExp(
  String.raw`\b([a-z0-9][\w.:/@-]*)\s+(?:${RESOURCE_NOUNS})s?\b`,
  'gi',
);

const DETERMINED_NOUN = new RegExp(
  String.raw`\b(?:the|this|that|my|our|its|their)\s+(${RESOURCE_NOUNS})s?\b(?=\s*(?:[.,;:!?]|$|(?:itself|too|also|alone|as is|intact|untouched|in place|for now|and)\b))`,
  'gi',
);

/** Environment names that, alone in a refusal, name the environment ("prod is fine"). */
const ENVIRONMENT_WORD =
  /(?<![\w.-])(prod|production|prd|staging|stage|stg|qa|uat|preview|dev)(?![\w-])/gi;

/** Words before a resource noun that only describe it, not name it ("the new tag"). */
const NOT_NAMES = new Set([
  'a',
  'an',
  'the',
  'this',
  'that',
  'these',
  'those',
  'my',
  'our',
  'your',
  'its',
  'their',
  'any',
  'every',
  'each',
  'new',
  'old',
  'same',
  'other',
  'whole',
  'entire',
  'one',
  'which',
  'what',
  'of',
  'to',
  'in',
  'on',
  'at',
  'for',
  'from',
  'and',
  'or',
  'touch',
  'keep',
  'leave',
  'delete',
  'remove',
  'drop',
  'it',
  'them',
  'all',
  'everything',
  'going',
]);

/**
 * The word a clause keeps or leaves, even a plain one with no digit or separator: "pgdata" in
 * "Keep pgdata, delete pgdata-old", "staging" in "leave the staging cluster". It is stored as
 * `=word` and matches only a whole call argument, so keeping `pgdata` still lets the call act
 * on `pgdata-old`.
 */
const KEPT_OBJECT = /^(?:please\s+)?(?:keep|leave)\s+(?:(?:the|my|our)\s+)?([a-z0-9][\w.:/@-]*)/i;

/**
 * A refusal that refers back to what its sentence named before it: "Prod is fine, leave it",
 * "write the SQL into a file, I'll run it". A refusal of another action on "it" ("open the PR
 * but don't merge it") leaves the rest of its sentence a request.
 */
const REFERS_BACK =
  /\b(?:leave|keep|touch|ignore)\s+(?:it|that|them|those)\b|\b(?:that|this|those) ones?\b|\bI(?:'ll| will)\s+(?:run|execute|apply|do)\s+(?:it|that|this|them|those)\b/i;

/** Call words that name a resource kind: `aws s3 rb` and `gsutil rb` remove a bucket. */
const CALL_NOUNS: Readonly<Record<string, string>> = { rb: 'bucket', mb: 'bucket' };

/** Returns one spelling per environment, so "production" in a message matches `-n prod`. */
function environmentName(word: string): string {
  return PRODUCTION_NAMES.has(word)
    ? 'prod'
    : word === 'stg' || word === 'stage'
      ? 'staging'
      : word;
}

/** Names a refusing sentence or clause gives: identifiers, environments and named resources. */
function namedTargets(text: string): string[] {
  const found: string[] = [];
  for (const word of text.split(/\s+/)) {
    const trimmed = word
      .replace(/^[`'"(<[]+|[`'")>\].,;:!?]+$/g, '')
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .replace(/\/+$/, '')
      .toLowerCase();
    // An identifier: a name with a separator or a digit ("acme-prod-db", "v2.0.0", "902").
    if (/^[a-z0-9][\w.:/@-]*$/.test(trimmed) && /[\d_.:/@-]/.test(trimmed)) {
      if (!/^\d{1,2}$/.test(trimmed)) {
        found.push(trimmed);
      }
    }
  }
  for (const match of text.matchAll(ENVIRONMENT_WORD)) {
    found.push(environmentName((match[1] ?? '').toLowerCase()));
  }
  for (const match of text.matchAll(BEFORE_NOUN)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!NOT_NAMES.has(name)) {
      found.push(name);
    }
  }
  for (const match of text.matchAll(DETERMINED_NOUN)) {
    found.push(`:${(match[1] ?? '').toLowerCase()}`);
  }
  const keptName = KEPT_OBJECT.exec(text)?.[1]?.toLowerCase();
  if (keptName !== undefined && !NOT_NAMES.has(keptName)) {
    found.push(`=${keptName}`);
  }
  return found;
}

/**
 * Returns the words a call acts on: every argument of a shell call but the program name, or
 * every short string and number in an MCP call's input, whole (also as `=value`) and split at
 * separators. A resource noun the call names ("bucket" in `delete-bucket`, or `rb`) is added as
 * `:noun`.
 */
export function callWords(
  input: Readonly<Record<string, unknown>>,
  shell: ParsedShell | undefined,
): Set<string> {
  const words = new Set<string>();
  const add = (value: string): void => {
    const lower = value
      .toLowerCase()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
      .replace(/\/+$/, '');
    words.add(lower);
    words.add(`=${lower}`);
    for (const piece of lower.split(/[^a-z0-9]+/)) {
      if (piece === '') {
        continue;
      }
      words.add(environmentName(piece));
      const noun = CALL_NOUNS[piece] ?? piece.replace(/s$/, '');
      if (RESOURCE_NOUN.test(noun)) {
        words.add(`:${noun}`);
      }
    }
  };
  if (shell !== undefined) {
    for (const command of shell.commands) {
      command.argv.slice(1).forEach(add);
    }
    return words;
  }
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string' && value.length <= 200) {
      add(value);
    } else if (typeof value === 'number') {
      add(String(value));
    } else if (depth < 3 && Array.isArray(value)) {
      value.forEach((item) => visit(item, depth + 1));
    } else if (depth < 3 && typeof value === 'object' && value !== null) {
      Object.values(value).forEach((item) => visit(item, depth + 1));
    }
  };
  visit(input, 0);
  return words;
}

/**
 * Returns a target of the call that the user's last word on it refuses, or undefined. The
 * messages are read in order, and a refusing clause marks the names it gives as refused. When
 * the refusal refers back with "it" or "that", the whole sentence's names count, and a
 * question's names count when the next sentence answers "no". A later consenting clause that
 * names one again takes the refusal back.
 */
export function refusedTarget(
  words: ReadonlySet<string>,
  messages: readonly string[],
): string | undefined {
  for (const name of refusedNames(messages)) {
    if (words.has(name)) {
      return name.replace(/^:/, 'the ').replace(/^=/, '');
    }
  }
  return undefined;
}

/**
 * Checks whether the messages refuse any target. Most messages refuse none, so a caller
 * checks this before it collects the call's words for {@link refusedTarget}.
 */
export function refusesAnyTarget(messages: readonly string[]): boolean {
  return refusedNames(messages).length > 0;
}

/** The messages {@link refusedNames} read last and the names it found refused in them. */
let lastRefusals: { messages: readonly string[]; names: readonly string[] } | undefined;

function refusedNames(messages: readonly string[]): readonly string[] {
  if (
    lastRefusals !== undefined &&
    lastRefusals.messages.length === messages.length &&
    lastRefusals.messages.every((message, index) => message === messages[index])
  ) {
    return lastRefusals.names;
  }
  const refused = new Map<string, boolean>();
  const mark = (text: string, refuses: boolean): void => {
    for (const name of namedTargets(text)) {
      refused.set(name, refuses);
    }
  };
  for (const message of messages) {
    const sentences = messageSentences(message);
    sentences.forEach((sentence, index) => {
      if (answeredNo(sentence, sentences[index + 1])) {
        mark(sentence, true);
        return;
      }
      const clauses = sentenceClauses(sentence);
      const withheld = clauses.map(refusesTarget);
      const refersBack = clauses.some(
        (clause, position) => withheld[position] === true && REFERS_BACK.test(clause),
      );
      // An answer to a refused question ("No, prod keeps running") gives no consent back.
      const answer = answeredNo(sentences[index - 1] ?? '', sentence);
      clauses.forEach((clause, position) => {
        const refuses = refersBack || withheld[position] === true;
        if (refuses || !answer) {
          mark(clause, refuses);
        }
      });
    });
  }
  const names = [...refused].filter(([, refuses]) => refuses).map(([name]) => name);
  lastRefusals = { messages: [...messages], names };
  return names;
}
