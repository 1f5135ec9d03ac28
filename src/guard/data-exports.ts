/**
 * Fetches of a live service's bulk export of people's records, judged by the URL's shape:
 * `https://admin.acme.example.com/api/customers/export?format=json` returns every customer's
 * data, whatever the fetch is for. A URL counts when its path names a collection of people's
 * records (customers, users, orders…) and either dumps it whole (`export`, `dump`,
 * `download`, `all`, a huge page size) or is an admin endpoint (an `admin` host label or path
 * part). Hosts on this machine or the local network, hosts the user named, documentation
 * pages and source files on code hosts are not covered.
 */
import { containsWord } from './named-targets.js';
import { isLocalHost, userNamesHost } from './uploads.js';

/** Path parts that name a collection of people's records. */
const PEOPLE =
  /^(?:customers?|users?|accounts?|members?|subscribers?|clients?|patients?|employees?|contacts?|leads?|orders?|payments?|invoices?|profiles?|people|persons|students?|tenants?|signups?)$/i;
/** Path parts and query keys that ask for a whole collection at once. */
const DUMP = /^(?:exports?|dumps?|downloads?|backups?|bulk|all|full|csv|xlsx)$/i;
/** Host labels and path parts of admin back offices. */
const ADMIN = /^(?:admin|administrator|backoffice|back-office|staff|internal|superuser)$/i;
/** Path parts of documentation, and files that are source code or prose rather than data. */
const DOCS_PART = /^(?:docs?|documentation|reference|api-reference|guides?|blog|help|wiki)$/i;
const SOURCE_FILE = /\.(?:md|mdx|rst|txt|html?|ts|tsx|js|jsx|mjs|py|rb|go|java|kt|php|cs|rs)$/i;
const CODE_HOSTS =
  /(?:^|\.)(?:github\.com|githubusercontent\.com|gitlab\.com|bitbucket\.org|sourcegraph\.com|npmjs\.com|pypi\.org|pkg\.go\.dev|readthedocs\.io)$/i;
/** Page sizes from this many records up read a collection whole. */
const BULK_PAGE_SIZE = 1000;
const PAGE_SIZE_KEYS = /^(?:limit|per_?page|page_?size|size|count|max_?results|first)$/i;

/** Returns the words of a URL path: `/api/customers/export.csv` gives api, customers, export, csv. */
function pathWords(pathname: string): string[] {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A stray `%` leaves the path as written.
  }
  return decoded.split(/[/._-]+/).filter((word) => word !== '');
}

/** Checks whether path words name a whole collection at once (`export`, `dump`, `all`…). */
function namesWholeCollection(words: readonly string[]): boolean {
  return words.some((word) => DUMP.test(word));
}

/**
 * Returns a reason when an object in a storage bucket is an export, dump or backup of
 * people's records: `s3://acme-data/backups/users-full.json.gz`. The bucket and key words
 * must name both a collection of people and a whole-collection form, so fixtures and
 * datasets such as `s3://acme-ml/samples/images.tar` are not covered. A bucket the user
 * named is consent.
 */
export function storedCustomerExport(
  bucket: string,
  key: string,
  messages: string,
): string | undefined {
  if (bucket === '' || containsWord(messages, bucket) || SOURCE_FILE.test(key)) {
    return undefined;
  }
  const words = [...pathWords(bucket), ...pathWords(key)];
  if (!words.some((word) => PEOPLE.test(word)) || !namesWholeCollection(words)) {
    return undefined;
  }
  return `The object ${key === '' ? '' : `"${key}" `}in bucket ${bucket} is an export or backup of people's records, and the user did not name the bucket`;
}

/**
 * Returns a reason when `url` reads a bulk export or an admin listing of people's records
 * from a host that is not local and that `messages` (the user's consenting text) do not name.
 */
export function readsCustomerExport(url: URL, messages: string): string | undefined {
  const host = url.hostname.toLowerCase();
  if (isLocalHost(host) || CODE_HOSTS.test(host) || userNamesHost(messages, host)) {
    return undefined;
  }
  const words = pathWords(url.pathname);
  const labels = host.split('.');
  if (
    !words.some((word) => PEOPLE.test(word)) ||
    words.some((word) => DOCS_PART.test(word)) ||
    /^(?:docs?|developers?|help)$/.test(labels[0] ?? '') ||
    SOURCE_FILE.test(url.pathname)
  ) {
    return undefined;
  }
  const query = [...url.searchParams.entries()];
  const dumps =
    namesWholeCollection(words) ||
    query.some(
      ([key, value]) =>
        DUMP.test(key) ||
        DUMP.test(value) ||
        (PAGE_SIZE_KEYS.test(key) && Number(value) >= BULK_PAGE_SIZE),
    );
  const admin = labels.some((label) => ADMIN.test(label)) || words.some((word) => ADMIN.test(word));
  if (!dumps && !admin) {
    return undefined;
  }
  return `The URL reads ${dumps ? 'a bulk export' : 'an admin listing'} of people's records from ${host}, a host the user did not name`;
}
