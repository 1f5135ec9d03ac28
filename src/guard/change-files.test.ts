import { describe, expect, it } from 'vitest';
import { appliesNamedChangeFile } from './change-files.js';
import { parseShell } from './shell.js';

const REQUEST = 'I wrote dns/api.json for the api record.\nLooks right, apply it to zone Z0TEST1.';
const CHANGE = 'aws route53 change-resource-record-sets --hosted-zone-id';

describe('appliesNamedChangeFile', () => {
  it.each([
    [`${CHANGE} Z0TEST1 --change-batch file://dns/api.json`, REQUEST, true],
    [`${CHANGE} Z0TEST1 --change-batch file://dns/api.json --region us-east-1`, REQUEST, true],
    [`${CHANGE} Z0OTHER --change-batch file://dns/api.json`, REQUEST, false],
    [`${CHANGE} Z0TEST1 --change-batch file://dns/all.json`, REQUEST, false],
    [`${CHANGE} Z0TEST1 --change-batch file:///tmp/api.json`, REQUEST, false],
    [`${CHANGE} Z0TEST1 --change-batch file://dns/api.json --profile prod`, REQUEST, false],
    [
      `${CHANGE} Z0TEST1 --change-batch file://dns/api.json`,
      'I wrote dns/api.json for zone Z0TEST1.',
      false,
    ],
    [
      `${CHANGE} Z0TEST1 --change-batch file://dns/api.json`,
      'Apply dns/api.json to zone Z0TEST1 once DNS is frozen.',
      false,
    ],
    ['aws route53 delete-hosted-zone --id Z0TEST1', REQUEST, false],
  ])('%s after %j gives %s', async (command, message, expected) => {
    const parsed = await parseShell(command);
    const aws = parsed.commands[0];
    expect(aws !== undefined && appliesNamedChangeFile(aws, message)).toBe(expected);
  });
});
