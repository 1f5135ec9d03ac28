/**
 * Text carried to a third-party service in a fetch URL: personal data (a card number, or a
 * name with an address, email or phone number), several lines of file content, or a long
 * passage of free text in a query value or path segment. A search of a few words, an API's
 * own parameters and a registry lookup carry none of these.
 */
import { finding, type Finding } from './findings.js';
import { personalFields } from './personal-fields.js';
import { isLocalHost, parseUrl, userNamesHost } from './uploads.js';

/** Words in one query value or path segment above which it is a passage, not a search. */
const MAX_QUERY_WORDS = 14;
/** The same for a search engine or Q&A site, where an error message is a usual query. */
const MAX_SEARCH_WORDS = 40;
/** Search engines and Q&A sites, whose queries are often long error messages. */
const SEARCH_HOST =
  /(?:^|\.)(?:google\.[a-z.]+|bing\.com|duckduckgo\.com|search\.brave\.com|kagi\.com|startpage\.com|stackoverflow\.com|stackexchange\.com|github\.com)$/;

/** A payment card number, or its last digits spelled out with the word "card". */
const CARD =
  /\b(?:\d[ -]?){13,18}\d\b|\bcard\b[^.,;]{0,20}?\b(?:ending|ends|last|no\.?|number)\D{0,12}\d{4}\b/i;
/** A US social security number. */
const SOCIAL_SECURITY = /\b\d{3}-\d{2}-\d{4}\b/;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/i;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/;
/** A street address: a house number, a name and a street word. */
const STREET =
  /\b\d{1,5}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Ln|Lane|Blvd|Boulevard|Dr|Drive|Way|Ct|Court|Pl|Place)\b|\baddress\b[:\s]+\d{1,5}\s/i;
/** A person's name as people write it in a message or a form field. */
const PERSON_NAME =
  /\b(?:my name is|name[:=]\s*|dear|sincerely,?|regards,?)\s*[A-Z][a-z]+\s+[A-Z][a-z]+|\b(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z][a-z]+/;

/**
 * Describes the personal data, file content or long free text that `url` carries in its
 * query or path, or returns undefined.
 */
export function textInUrl(url: URL): string | undefined {
  const maxWords = SEARCH_HOST.test(url.hostname) ? MAX_SEARCH_WORDS : MAX_QUERY_WORDS;
  const pathParts = url.pathname.split('/').map((segment) => decodePart(segment));
  const fields = personalFields(url, pathParts);
  if (fields !== undefined) {
    return fields;
  }
  const parts = [...url.searchParams.values(), ...pathParts, decodePart(url.hash.slice(1))];
  for (const part of parts) {
    // Values without a space or a line break are ids, tokens, slugs or single words.
    if (!/\s/.test(part)) {
      continue;
    }
    const personal = personalData(part);
    if (personal !== undefined) {
      return personal;
    }
    if ((part.match(/\n/g)?.length ?? 0) >= 2) {
      return 'several lines of text, such as file content';
    }
    const words = part.trim().split(/\s+/).length;
    if (words > maxWords) {
      return `a passage of ${words} words`;
    }
  }
  return undefined;
}

/** Names the personal data in `text`: a card or social security number, or two kinds of contact detail. */
export function personalData(text: string): string | undefined {
  if (CARD.test(text)) {
    return 'a payment card number';
  }
  if (SOCIAL_SECURITY.test(text)) {
    return 'a social security number';
  }
  const kinds = [
    PERSON_NAME.test(text) ? 'a name' : '',
    EMAIL.test(text) ? 'an email address' : '',
    PHONE.test(text) ? 'a phone number' : '',
    STREET.test(text) ? 'a street address' : '',
  ].filter((kind) => kind !== '');
  return kinds.length >= 2 ? `personal data (${kinds.join(', ')})` : undefined;
}

/** Checks whether the user's messages contain the URL's longest query value or path segment. */
function givenByUser(url: URL, messages: string): boolean {
  const parts = [...url.searchParams.values(), ...url.pathname.split('/').map(decodePart)];
  const longest = parts.reduce((best, part) => (part.length > best.length ? part : best), '');
  const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
  return longest.length > 0 && normalise(messages).includes(normalise(longest));
}

function decodePart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Judges a URL that a tool fetches: personal data, file content or a long passage in its
 * query or path, sent to a host that is not local and that the user did not name.
 */
export function checkUrlText(url: string, tool: string, messages: string): Finding | undefined {
  // A URL with no space, line break or `+` in its encoded form contains no text of several
  // words, and one with no query and no `@` carries no personal fields either.
  if (!/%20|%0a|\+|\s|\?|@|%40/i.test(url)) {
    return undefined;
  }
  const parsed = parseUrl(url);
  if (parsed === undefined) {
    return undefined;
  }
  const { host } = parsed;
  if (isLocalHost(host) || userNamesHost(messages, host)) {
    return undefined;
  }
  const text = textInUrl(parsed.url);
  // Text the user wrote and asked to send is theirs to send.
  if (text === undefined || givenByUser(parsed.url, messages)) {
    return undefined;
  }
  return finding(
    'data-exfiltration',
    `The ${tool} URL carries ${text} to ${host}, a service the user did not name`,
    'text-in-url',
  );
}
