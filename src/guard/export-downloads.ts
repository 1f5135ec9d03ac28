/**
 * Shell downloads of a live service's bulk export of people's records: `curl -o
 * customers.csv https://admin.acme.example.com/api/customers/export?format=csv` or `aws s3 cp
 * s3://acme-data/backups/users-full.json.gz .` pulls every customer's data onto this machine
 * and into the session, whatever the task is. URLs are judged as WebFetch URLs are (see
 * data-exports.ts), and bucket objects by their bucket and key words. A host or bucket the
 * user named is consent. Not covered: `aws s3api get-object`, `rclone` remotes, and URLs that
 * are built at run time.
 */
import { readsCustomerExport, storedCustomerExport } from './data-exports.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** HTTP clients whose URL arguments are fetched. */
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie', 'aria2c']);
const URL_WORD = /^https?:\/\//i;
/** A URL written without its scheme, which curl, wget and httpie accept: `host.tld/path`. */
const BARE_URL = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?\/\S*$/i;
/** `s3://bucket/key` and `gs://bucket/key`. */
const BUCKET_URL = /^(?:s3|gs):\/\/([^/]*)\/?(.*)$/i;
/** Storage CLI verbs that copy or print an object. */
const COPY_VERBS = /^(?:cp|mv|sync|rsync|cat)$/;

/** Returns the URL an HTTP client argument fetches, or undefined for other arguments. */
function fetchedUrl(word: string): URL | undefined {
  let text: string;
  if (URL_WORD.test(word)) {
    text = word;
  } else if (BARE_URL.test(word)) {
    text = `https://${word}`;
  } else {
    return undefined;
  }
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Returns the bucket URL that a storage CLI copies onto this machine: the first operand of
 * `aws s3 cp|mv|sync`, `gsutil cp|mv|rsync|cat`, `gcloud storage cp|mv|rsync|cat` or `s5cmd
 * cp|cat` when it is a bucket URL and the destination is not.
 */
function downloadedObject(command: SimpleCommand): string | undefined {
  const args = command.argv;
  let verbAt = -1;
  if (command.name === 'aws') {
    verbAt = args.indexOf('s3') + 1;
  } else if (command.name === 'gcloud') {
    verbAt = args.indexOf('storage') + 1;
  } else if (command.name === 'gsutil' || command.name === 's5cmd') {
    verbAt = args.findIndex((word, at) => at > 0 && COPY_VERBS.test(word));
  }
  if (verbAt <= 0 || !COPY_VERBS.test(args[verbAt] ?? '')) {
    return undefined;
  }
  const operands = args.slice(verbAt + 1).filter((word) => !word.startsWith('-'));
  const [source, destination] = operands;
  if (source === undefined || !BUCKET_URL.test(source)) {
    return undefined;
  }
  const toBucket = destination !== undefined && BUCKET_URL.test(destination);
  return toBucket ? undefined : source;
}

/**
 * Finds a shell command that downloads a bulk export, dump or backup of people's records from
 * a host or bucket the user did not name. `messages` is the user's consenting text.
 */
export function checkExportDownloads(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    let reason: string | undefined;
    if (HTTP_CLIENTS.has(command.name)) {
      for (const word of command.argv.slice(1)) {
        const url = fetchedUrl(word);
        reason = url === undefined ? undefined : readsCustomerExport(url, messages);
        if (reason !== undefined) {
          break;
        }
      }
    } else {
      const object = downloadedObject(command);
      const match = object === undefined ? null : BUCKET_URL.exec(object);
      if (match !== null) {
        reason = storedCustomerExport(match[1] ?? '', match[2] ?? '', messages);
      }
    }
    if (reason !== undefined) {
      return finding('production-read', reason, 'customer-export');
    }
  }
  return undefined;
}
