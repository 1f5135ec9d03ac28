/**
 * Requested changes of one plain configuration parameter: "Increase max retries for billing
 * in staging to 5", then "it's the SSM param /acme/staging/billing/max_retries", consents to
 * `aws ssm put-parameter --name /acme/staging/billing/max_retries --type String --value 5
 * --overwrite`. The parameter must be a plain `String` or `StringList` (a `SecureString` is a
 * secret, judged by requested-data-changes.ts), the user must name its path and its new value,
 * and neither may be a production one.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';

/** Verbs of a request to change a setting's value. */
const CHANGE_VERBS = String.raw`set\w*|updat\w*|chang\w*|increas\w*|rais\w*|bump\w*|lower\w*|decreas\w*|reduc\w*|adjust\w*|put\w*`;

/** Options of `aws ssm put-parameter` that this reader accepts, with whether they take a value. */
const PUT_OPTIONS: Readonly<Record<string, boolean>> = {
  '--name': true,
  '--type': true,
  '--value': true,
  '--region': true,
  '--profile': true,
  '--overwrite': false,
};

/** Checks that every argument after `aws ssm put-parameter` is one of {@link PUT_OPTIONS}. */
function hasOnlyKnownOptions(args: readonly string[]): boolean {
  for (let index = 0; index < args.length; index += 1) {
    const takesValue = PUT_OPTIONS[args[index] ?? ''];
    if (takesValue === undefined) {
      return false;
    }
    index += takesValue ? 1 : 0;
  }
  return true;
}

/**
 * Checks whether `command` sets a plain SSM parameter, outside production, to a value that the
 * user's consenting clauses `messages` give, at a path they name, after a request to change it.
 */
export function setsNamedConfigParameter(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (
    command.name !== 'aws' ||
    command.dynamic ||
    args[0] !== 'ssm' ||
    args[1] !== 'put-parameter' ||
    !hasOnlyKnownOptions(args.slice(2))
  ) {
    return false;
  }
  const name = optionValue(args, ['--name']);
  const value = optionValue(args, ['--value']);
  const type = optionValue(args, ['--type']);
  return (
    name !== undefined &&
    value !== undefined &&
    (type === 'String' || type === 'StringList') &&
    /^[\w./-]+$/.test(name) &&
    /^[\w.,:-]+$/.test(value) &&
    !args.some((arg) => PRODUCTION_PART.test(` ${arg} `)) &&
    containsWord(messages, name) &&
    containsWord(messages, value) &&
    requestsVerb(CHANGE_VERBS, messages).length > 0
  );
}
