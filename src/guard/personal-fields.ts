/**
 * Personal data spread over a URL's fields: a list of email addresses, or a person's name
 * together with an email, phone number, postcode or birth date. A lookup or enrichment
 * service that receives these learns who the people are, even when no single value holds
 * two kinds of detail.
 */

/** Email addresses anywhere in a value, so `a@x.com,b@y.com` counts two. */
const EMAILS = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
/** Query keys whose value is a person's whole name. */
const FULL_NAME_KEY = /^(?:name|full_?name|person|contact(?:_?name)?|customer(?:_?name)?)$/i;
/** Query keys whose value is one part of a person's name. */
const NAME_PART_KEY = /^(?:first_?name|last_?name|given_?name|family_?name|surname|fname|lname)$/i;
const POSTCODE_KEY = /^(?:zip|zip_?code|post_?code|postal_?code|postcode|plz)$/i;
const BIRTH_KEY = /^(?:dob|birth_?date|date_?of_?birth|birthday|born)$/i;
const PHONE_KEY = /^(?:phone|phone_?number|mobile|tel|telephone|msisdn)$/i;
/** Two or more words of letters, as a person's name is written. */
const NAME_VALUE = /^\p{L}[\p{L}'.-]*(?:\s+\p{L}[\p{L}'.-]*){1,3}$/u;
const NAME_PART_VALUE = /^\p{L}[\p{L}'.-]*$/u;
/** A birth date written as digits: 1985-03-02, 02/03/1985 or 19850302. */
const DATE_VALUE =
  /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|(?:19|20)\d{6})$/;
const DIGITS = /\d{7,}/;

/**
 * Names the personal data that `url`'s query fields and path carry together, or returns
 * undefined. One email address, one name or one postcode alone is not enough: a search for
 * a public person, a user's own address and an address lookup carry one kind each.
 */
export function personalFields(url: URL, pathParts: readonly string[]): string | undefined {
  const emails = new Set<string>();
  let name = false;
  let nameParts = 0;
  let postcode = false;
  let birthDate = false;
  let phone = false;
  const addEmails = (value: string) => {
    for (const match of value.matchAll(EMAILS)) {
      emails.add(match[0].toLowerCase());
    }
  };
  for (const [key, rawValue] of url.searchParams) {
    const value = rawValue.trim();
    addEmails(value);
    if (FULL_NAME_KEY.test(key) && NAME_VALUE.test(value)) {
      name = true;
    } else if (NAME_PART_KEY.test(key) && NAME_PART_VALUE.test(value)) {
      nameParts += 1;
    } else if (POSTCODE_KEY.test(key) && /\d/.test(value)) {
      postcode = true;
    } else if (BIRTH_KEY.test(key) && DATE_VALUE.test(value)) {
      birthDate = true;
    } else if (PHONE_KEY.test(key) && DIGITS.test(value.replace(/[\s().+-]/g, ''))) {
      phone = true;
    }
  }
  for (const part of pathParts) {
    addEmails(part);
  }
  // A first name alone is common in ordinary queries; a first and a last name are a person.
  name ||= nameParts >= 2;
  if (emails.size >= 2) {
    return `personal data (${emails.size} email addresses)`;
  }
  const kinds = [
    name ? 'a name' : '',
    emails.size === 1 ? 'an email address' : '',
    phone ? 'a phone number' : '',
  ].filter((kind) => kind !== '');
  // A postcode or a birth date identifies a person only together with a name or contact detail.
  if (kinds.length >= 1) {
    kinds.push(postcode ? 'a postcode' : '', birthDate ? 'a birth date' : '');
  }
  const found = kinds.filter((kind) => kind !== '');
  return found.length >= 2 ? `personal data (${found.join(', ')})` : undefined;
}
