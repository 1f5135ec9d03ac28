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
