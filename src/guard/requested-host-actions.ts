/**
 * Stage-1 consent for actions on other systems that the user requests by target. The checks
 * cover opening the named port in this machine's firewall, rolling a chart or image out to the
 * named environment, refunding or capturing the named payment for the amount given, and
 * rotating the access key of the named IAM user. Each reads the command's structure and needs
 * a request clause for that action, with no negation or deferral.
 */
import { appliesNamedChangeFile } from './change-files.js';
import { appliesRequestedTarget } from './requested-applies.js';
import { ENVIRONMENT_NAMES, PRODUCTION_NAMES } from './environment-names.js';
import path from 'node:path';
import { optionValue } from './options.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { requestTextsWithContext } from './resource-consent.js';
import type { SimpleCommand } from './shell.js';

const OPEN_VERBS = String.raw`open\w*|allow\w*|expos\w*|unblock\w*|let\b.{0,40}?\bthrough|let\b.{0,80}?\b(?:reach|access|connect)\w*`;

/** A private IPv4 address or network (RFC 1918), which only the user's own network reaches. */
const PRIVATE_SOURCE =
  /^(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}(?:\/(?:1[6-9]|2\d|3[0-2]))?$/;

/** One port with an optional protocol: `8443`, `8443/tcp`. Ranges and service names are not covered. */
const PORT = /^(\d{1,5})(?:\/(?:tcp|udp))?$/;

/** `ufw allow from SOURCE to any port PORT [proto tcp|udp]`, as words after `ufw`. */
const UFW_FROM_SOURCE = /^allow from (\S+) to any port (\d{1,5})(?: proto (?:tcp|udp))?$/;

/**
 * Returns the port a firewall call opens, to every source or to one private source, or
 * undefined for any other call.
 */
function openedPort(command: SimpleCommand): { port: string; source?: string } | undefined {
  const args = command.argv.slice(1);
  if (command.name === 'ufw') {
    const from = UFW_FROM_SOURCE.exec(args.join(' '));
    if (from !== null) {
      const [, source = '', port = ''] = from;
      return PRIVATE_SOURCE.test(source) ? { port, source } : undefined;
    }
    // `ufw allow PORT[/proto] [comment TEXT]`: an interface, a route or a default policy
    // opens more than the port.
    const [verb, port, ...rest] = args;
    const comment = rest.length === 0 || (rest.length === 2 && rest[0] === 'comment');
    const opened = verb === 'allow' && comment ? PORT.exec(port ?? '')?.[1] : undefined;
    return opened === undefined ? undefined : { port: opened };
  }
  if (command.name === 'firewall-cmd') {
    // `firewall-cmd [--permanent] [--zone=Z] --add-port=PORT/proto`.
    const ports = args.filter((arg) => arg.startsWith('--add-port='));
    const others = args.filter(
      (arg) => !arg.startsWith('--add-port=') && arg !== '--permanent' && !/^--zone=\w+$/.test(arg),
    );
    const port = /^--add-port=(\d{1,5})\/(?:tcp|udp)$/.exec(ports[0] ?? '')?.[1];
    return ports.length === 1 && others.length === 0 && port !== undefined ? { port } : undefined;
  }
  return undefined;
}

/**
 * Checks that a `ufw allow` or `firewall-cmd --add-port` opens only one port, which a request
 * to open or allow names ("open port 8443 in ufw"), to every source or to one private network
 * the request names as written. Disabling the firewall, default policies, port ranges, public
 * sources and interfaces are not covered and keep asking.
 */
export function opensNamedLocalPort(command: SimpleCommand, messages: string): boolean {
  if (command.dynamic) {
    return false;
  }
  const opened = openedPort(command);
  if (opened === undefined) {
    return false;
  }
  const { port, source } = opened;
  // A rule for one private source is asked for by naming that source and the port, as in "let
  // my phone on 192.168.1.0/24 reach the dev server on 5173".
  const requests = requestsVerb(OPEN_VERBS, messages);
  return requests.some(
    (request) =>
      (containsWord(request, port) ||
        (source !== undefined && namesPortBefore(request, port, messages))) &&
      (source === undefined
        ? /\b(?:port|firewall|ufw|firewalld)\b/i.test(request) &&
          // A request that names a network asks for less than a rule for every source.
          !request
            .split(/[\s,;()]+/)
            .some((word) => PRIVATE_SOURCE.test(word.replace(/[.!?:]+$/, '')))
        : request
            .split(/[\s,;()]+/)
            .map((word) => word.replace(/[.!?:]+$/, ''))
            .includes(source)),
  );
}

/**
 * Checks that a request says "the port" while the sentence before it names `port` as its only
 * number: "The dev server on 3000 isn't reachable. Open the port just for my LAN."
 */
function namesPortBefore(request: string, port: string, messages: string): boolean {
  if (!/\bthe port\b/i.test(request)) {
    return false;
  }
  const sentences = messages.split(/(?<=[.!?;])\s+|\n+/).map((sentence) => sentence.trim());
  const before = sentences[sentences.indexOf(request) - 1] ?? '';
  const numbers = before.match(/\b\d{2,5}\b/g) ?? [];
  return numbers.length > 0 && numbers.every((number) => number === port);
}

/** Requests to hand files back to the user: "give it back to me", "make me the owner again". */
const RETURN_VERBS = String.raw`giv\w*\b.{0,30}?\bback|hand\w*\b.{0,30}?\bback|chown\w*|reclaim\w*|take\w*\b.{0,30}?\bback|mak\w*\b.{0,20}?\b(?:me|mine)\b|fix\w*\b.{0,40}?\b(?:owner\w*|permissions)`;

/**
 * Checks that `chown [-R] USER[:USER] PATH...` run as root gives paths inside the project back
 * to the user whose home folder the session has. A request to hand them back must name each
 * path by its file name (".venv" is "the venv"), in the request or in the sentence it refers
 * back to. Another owner or group, a path outside the project or the project folder itself,
 * and options other than `-R` keep asking.
 */
export function returnsOwnershipToUser(
  command: SimpleCommand,
  messages: string,
  here: PathContext,
  projectDir: string,
): boolean {
  const user = path.basename(here.homeDir);
  const args = command.argv.slice(1);
  const options = args.filter((arg) => arg.startsWith('-'));
  const [owner = '', ...targets] = args.filter((arg) => !arg.startsWith('-'));
  if (
    command.name !== 'chown' ||
    command.dynamic ||
    !options.every((option) => option === '-R' || option === '--recursive') ||
    !new RegExp(String.raw`^${user}(?::(?:${user})?)?$`).test(owner) ||
    targets.length === 0 ||
    user.length < 2
  ) {
    return false;
  }
  const resolved = targets.map((target) => resolvePath(target, here));
  const texts = requestTextsWithContext(requestsVerb(RETURN_VERBS, messages), messages);
  return resolved.every(
    (target) =>
      target !== projectDir &&
      isInside(target, projectDir) &&
      texts.some((text) => containsWord(text, path.basename(target).replace(/^\./, ''))),
  );
}

const ROLL_OUT_VERBS = String.raw`roll\w*\b.{0,40}?\bout|ship\w*|deploy\w*|releas\w*|upgrad\w*|push\w*\b.{0,30}?\bout`;

/** Returns the environments a helm or kubectl call targets, by its context, namespace and values files. */
function targetEnvironments(command: SimpleCommand): Set<string> {
  const args = command.argv.slice(1);
  const values = [
    optionValue(args, ['--kube-context', '--context']),
    optionValue(args, ['-n', '--namespace']),
    ...args.filter((_, index) => ['-f', '--values'].includes(args[index - 1] ?? '')),
    ...args.filter((arg) => /^--values=/.test(arg)).map((arg) => arg.slice(9)),
  ];
  const found = new Set<string>();
  for (const value of values) {
    for (const word of (value ?? '').toLowerCase().split(/[^a-z]+/)) {
      if (ENVIRONMENT_NAMES.has(word)) {
        found.add(word);
      }
    }
  }
  return found;
}

/** Checks that a call is a `helm upgrade`/`helm install` or a `kubectl set image`, which roll out a release. */
function rollsOut(command: SimpleCommand): boolean {
  const words = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (command.name === 'helm') {
    return words[0] === 'upgrade' || words[0] === 'install';
  }
  return command.name === 'kubectl' && words.includes('set') && words.includes('image');
}

/**
 * Checks that a helm upgrade or install, or a `kubectl set image`, goes to environments that a
 * request to roll out, ship or deploy names ("roll the chart out to staging"). The call must
 * name its environment in its context, namespace or values file. A production target needs
 * production named in the request, and a call with no environment in it is not covered.
 */
export function rollsOutToNamedEnvironment(command: SimpleCommand, messages: string): boolean {
  if (command.dynamic || !rollsOut(command)) {
    return false;
  }
  const targeted = targetEnvironments(command);
  if (targeted.size === 0) {
    return false;
  }
  const requests = requestsVerb(ROLL_OUT_VERBS, messages);
  return [...targeted].every((environment) =>
    requests.some((request) =>
      PRODUCTION_NAMES.has(environment)
        ? /\bprod(?:uction)?\b/i.test(request)
        : containsWord(request, environment),
    ),
  );
}

const REFUND_VERBS = String.raw`refund\w*|captur\w*|(?:give|pay|send)\w*\b.{0,40}?\bmoney\s+back|reimburs\w*`;
/** Currencies with no minor unit, whose API amounts are whole units. */
const ZERO_DECIMAL = /^(?:¥|jpy|yen|krw|₩|won|vnd|clp|isk|ugx)$/i;
/** An amount with its currency: `15 EUR`, `€15`, `$12.50`, `1500 cents`. */
const AMOUNT =
  /([$€£¥₩])\s?(\d[\d,]*(?:\.\d{1,2})?)|(\d[\d,]*(?:\.\d{1,2})?)\s?(eur|usd|gbp|chf|cad|aud|jpy|krw|euros?|dollars?|pounds?|yen|cents?)\b/gi;

/**
 * A decimal amount with two decimal places and no currency: "refund 18.40 on pi_…". In a
 * request to refund or capture it is the amount in major units of the payment's currency.
 * An amount with a currency word after it is read by {@link AMOUNT} alone.
 */
const BARE_AMOUNT =
  /(?<![\w$€£¥₩.,-])(\d[\d,]*\.\d{2})(?![\w.%]|\s?(?:eur|usd|gbp|chf|cad|aud|jpy|krw|euros?|dollars?|pounds?|yen|cents?)\b)/gi;

/**
 * Returns the amounts in minor units (cents) that the messages give with a currency, or as a
 * bare decimal with two decimal places.
 */
function requestedAmounts(messages: string): Set<number> {
  const amounts = new Set<number>();
  for (const match of messages.matchAll(BARE_AMOUNT)) {
    amounts.add(Math.round(Number((match[1] ?? '').replaceAll(',', '')) * 100));
  }
  for (const match of messages.matchAll(AMOUNT)) {
    const value = Number((match[2] ?? match[3] ?? '').replaceAll(',', ''));
    const unit = match[1] ?? match[4] ?? '';
    if (/^cents?$/i.test(unit)) {
      amounts.add(value);
    } else if (ZERO_DECIMAL.test(unit)) {
      amounts.add(value);
    } else {
      amounts.add(Math.round(value * 100));
    }
  }
  return amounts;
}

/** Returns a stripe CLI parameter given as `--name VALUE` or `-d name=VALUE`. */
function stripeParameter(args: readonly string[], name: string): string | undefined {
  const option = optionValue(args, [`--${name.replaceAll('_', '-')}`]);
  if (option !== undefined) {
    return option;
  }
  const data = args.find(
    (arg, index) => ['-d', '--data'].includes(args[index - 1] ?? '') && arg.startsWith(`${name}=`),
  );
  return data?.slice(name.length + 1);
}

/**
 * Checks that a `stripe refunds create` or `stripe payment_intents capture` acts on the charge
 * or payment intent id the user named, in a request to refund or capture, for the amount they
 * gave (in minor units, so "15 EUR" is `--amount 1500`). A call with no amount refunds all,
 * so it is covered only when the user gave no amount. `--live` and other resources keep asking.
 */
export function refundsNamedPayment(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.name !== 'stripe' || command.dynamic || args.includes('--live')) {
    return false;
  }
  const words = args.filter((arg) => !arg.startsWith('-'));
  let target: string | undefined;
  let amount: string | undefined;
  if (words[0] === 'refunds' && words[1] === 'create') {
    target = stripeParameter(args, 'charge') ?? stripeParameter(args, 'payment_intent');
    amount = stripeParameter(args, 'amount');
  } else if (words[0] === 'payment_intents' && words[1] === 'capture') {
    target = words[2];
    amount = stripeParameter(args, 'amount_to_capture');
  }
  return target !== undefined && refundsNamedTarget(target, amount, messages);
}

/**
 * Checks that a request to refund or capture names the charge or payment intent `target`,
 * with the amount `amount` in minor units, or with no amount when `amount` is undefined.
 * MCP refund tools are read with this check too.
 */
export function refundsNamedTarget(
  target: string,
  amount: string | undefined,
  messages: string,
): boolean {
  // Stripe charges and payment intents, and PayPal capture ids (17 capitals and digits).
  if (!/^(?:ch|py|pi)_\w{6,}$|^[A-Z0-9]{17}$/.test(target)) {
    return false;
  }
  const requests = requestsVerb(REFUND_VERBS, messages);
  // "Refund it in full" names the charge in the sentence before it.
  const texts = requestTextsWithContext(requests, messages);
  if (!texts.some((request) => containsWord(request, target))) {
    return false;
  }
  const given = requestedAmounts(requests.join('\n'));
  if (amount === undefined) {
    return given.size === 0;
  }
  if (!/^\d+$/.test(amount)) {
    return false;
  }
  // Stripe refunds "only up to the remaining, unrefunded amount of the charge" (the `amount`
  // of Create a refund in its API reference), so any amount of a request "in full" is at most
  // the whole payment.
  return (
    given.has(Number(amount)) ||
    (given.size === 0 &&
      texts.some((request) => IN_FULL.test(request) && containsWord(request, target)))
  );
}

/** Words by which a request to refund or capture asks for the whole payment. */
const IN_FULL =
  /\b(?:in full|fully|(?:the )?full (?:amount|refund|charge|payment|sum)|(?:the )?(?:entire|whole) (?:amount|charge|payment|sum))\b/i;

const ROTATE_VERBS = String.raw`rotat\w*|cycl\w*|renew\w*|replac\w*|regenerat\w*`;

/**
 * Checks that an `aws iam create-access-key`, `delete-access-key` or `update-access-key
 * --status Inactive` acts on the IAM user that a request to rotate names, and that a deleted or
 * deactivated key is the old key id the user gave. The new key may only be printed. Creating a
 * key for the caller (no `--user-name`) or for another user, a new key written to a file or
 * piped on, and every other IAM call are not covered.
 */
export function rotatesNamedAccessKey(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  // Every aws option but a few flags takes a value.
  const words = args.filter(
    (arg, index) => !arg.startsWith('-') && !/^--(?!debug$|no-)/.test(args[index - 1] ?? ''),
  );
  if (command.name !== 'aws' || command.dynamic || words[0] !== 'iam') {
    return false;
  }
  const user = optionValue(args, ['--user-name']);
  if (user === undefined || user.length < 3) {
    return false;
  }
  // A production profile or account needs production named in the request.
  const production = args.some((arg) => PRODUCTION_PART.test(arg));
  const requests = requestsVerb(ROTATE_VERBS, messages).filter(
    (request) =>
      containsWord(request, user) &&
      /\bkeys?\b/i.test(request) &&
      (!production || /\bprod/i.test(request)),
  );
  if (requests.length === 0) {
    return false;
  }
  // The new key is printed for the user to store. Written to a file, piped on or captured by
  // a substitution, it would go further.
  if (words[1] === 'create-access-key') {
    return (
      words.length === 2 &&
      command.redirects.length === 0 &&
      command.pipeline === undefined &&
      command.via.length === 0
    );
  }
  if (words[1] === 'delete-access-key' || words[1] === 'update-access-key') {
    const key = optionValue(args, ['--access-key-id']);
    const status = optionValue(args, ['--status']);
    return (
      key !== undefined &&
      /^A[KS]IA[A-Z0-9]{12,}$/.test(key) &&
      containsWord(messages, key) &&
      (words[1] === 'delete-access-key' || status === 'Inactive')
    );
  }
  return false;
}

/**
 * Checks a remote CLI call against the requested-action checks above that apply to remote
 * clients: a rollout, a refund or capture, a key rotation, a stack's apply or destroy, or a
 * reviewed change file applied to the target the user named.
 */
export function actsAsRequestedOnRemote(command: SimpleCommand, messages: string): boolean {
  return (
    rollsOutToNamedEnvironment(command, messages) ||
    refundsNamedPayment(command, messages) ||
    rotatesNamedAccessKey(command, messages) ||
    appliesRequestedTarget(command, messages) ||
    appliesNamedChangeFile(command, messages)
  );
}
