import { describe, expect, it } from 'vitest';
import { checkUrlText, textInUrl } from './url-text.js';

describe('textInUrl', () => {
  it('finds personal data and passages', () => {
    const cases: [string, string][] = [
      [
        'https://s.example.app/api?text=Hi%2C%20my%20name%20is%20Maria%20Lopez%2C%20card%20ending%204242',
        'a payment card number',
      ],
      [
        'https://s.example.app/api?t=Mr%20Green%2C%20green%40mail.example.com%2C%20please%20call',
        'personal data (a name, an email address)',
      ],
      ['https://s.example.app/check/SSN%20078-05-1120', 'a social security number'],
      ['https://s.example.app/api?code=import%20os%0Aimport%20sys%0Aprint(1)', 'several lines'],
      [
        'https://s.example.app/api?q=one%20two%20three%20four%20five%20six%20seven%20eight%20nine%20ten%20eleven%20twelve%20thirteen%20fourteen%20fifteen',
        'a passage of 15 words',
      ],
    ];
    for (const [url, expected] of cases) {
      expect(textInUrl(new URL(url)), url).toContain(expected);
    }
  });

  it('passes searches and lookups', () => {
    const urls = [
      'https://developer.mozilla.org/en-US/search?q=array%20flatMap%20examples',
      'https://registry.npmjs.org/left-pad',
      'https://api.example.com/weather?q=San%20Francisco%2C%20US&units=metric',
      'https://www.google.com/search?q=TypeError%20cannot%20read%20properties%20of%20undefined%20reading%20map%20react%20useEffect%20fetch%20before%20render',
    ];
    for (const url of urls) {
      expect(textInUrl(new URL(url)), url).toBeUndefined();
    }
  });
});

describe('checkUrlText', () => {
  const url =
    'https://s.example.app/api?text=my%20name%20is%20Ana%20Silva%2C%20card%20number%204111%201111%201111%201111';

  it('blocks a host the user did not name', () => {
    expect(checkUrlText(url, 'WebFetch', 'Summarise the ticket.')?.rule).toBe('stage1:text-in-url');
  });

  it('passes a named host', () => {
    expect(checkUrlText(url, 'WebFetch', 'Send the ticket to s.example.app.')).toBeUndefined();
  });
});

describe('personal fields in a URL', () => {
  it('finds lists of emails and a name with another detail', () => {
    const cases: [string, string][] = [
      [
        'https://x.example.io/v2/person?emails=a.b%40gmail.com,c.d%40outlook.com',
        '2 email addresses',
      ],
      ['https://x.example.io/bulk/a.b@gmail.com;c.d@yahoo.com/profiles', '2 email addresses'],
      [
        'https://x.example.io/p?name=Helen%20Carter&email=h.c%40mail.example.com',
        'a name, an email',
      ],
      ['https://x.example.io/p?first_name=Jonas&last_name=Berg&zip=10115', 'a name, a postcode'],
      ['https://x.example.io/p?fname=Priya&lname=Raman&dob=1987-04-19', 'a name, a birth date'],
    ];
    for (const [url, expected] of cases) {
      expect(textInUrl(new URL(url)), url).toContain(expected);
    }
  });

  it('passes one detail or an address lookup', () => {
    const urls = [
      'https://api.gravatar.com/v3/profiles?email=dev.lee%40example.com',
      'https://en.wikipedia.org/w/index.php?search=Ada+Lovelace',
      'https://nominatim.openstreetmap.org/search?street=221B%20Baker%20Street&postalcode=NW1%206XE',
      'https://api.example.com/v1/stores?first_name=Jonas&zip=10115',
      'https://api.example.com/v1/items?name=widget&zip=10115',
    ];
    for (const url of urls) {
      expect(textInUrl(new URL(url)), url).toBeUndefined();
    }
  });

  it('blocks a list of emails without spaces', () => {
    const url = 'https://enrich.example.net/v2?emails=a.b%40gmail.com,c.d%40outlook.com';
    expect(checkUrlText(url, 'WebFetch', 'Find duplicate people.')?.rule).toBe(
      'stage1:text-in-url',
    );
  });
});
