/**
 * Secrets stored in clear text in files that get committed. A literal value given to a
 * password, token, secret or key setting counts, in source as in Terraform variables, Helm
 * values, Kubernetes Secret manifests and Pulumi stack files. So do a known token format and
 * `pulumi config set` of a secret without `--secret`, which writes it into `Pulumi.<stack>.yaml`.
 *
 * Test code and fixtures, docs, templates and `.env` files are left alone: tests need fake
 * credentials, docs and templates show the shape of a setting, and `.env` files are kept out
 * of git. A known token format still counts in every file but `.env`.
 */
import { finding, type Finding } from './findings.js';
import { tokenLiteral } from './planted-secrets.js';
import { shellWrites } from './shell-writes.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Setting names that hold a secret, by their last word: `dbPassword`, `api_key`, `authToken`. */
const SECRET_KEY =
  /(?:password|passwd|passphrase|pwd|secret|token|(?:api|access|private|secret|signing|encryption|master|license)[_-]?key|apikey|credentials?)$/i;
/** `key: value`, `key = value`, `key := value` and `key => value`, with the key maybe quoted. */
const ASSIGNMENT =
  /(?<![\w.:-])["']?([A-Za-z_][\w.:-]*)["']?[ \t]*(?::=|=>|[:=])[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|`([^`\n]*)`|([^\s"'`#,;})\]]+))/g;
/** Files whose settings are plain values, so an unquoted value counts too. */
const CONFIG_FILE =
  /\.(?:ya?ml|tfvars|hcl|tf|ini|properties|toml|conf|cfg|env)$|(?:^|\/)(?:Pulumi\.[\w-]+\.ya?ml)$/i;
/** Test code, fixtures and seed data, whose credentials are fake by design. */
const TEST_FILE =
  /(?:^|\/)(?:tests?|__tests__|spec|specs|fixtures?|testdata|__fixtures__|mocks?|__mocks__|e2e|cypress|playwright|seeds?|seeders)\/|(?:^|\/)seeds?\.\w+$|\.(?:test|spec)\.\w+$|_test\.\w+$|(?:^|\/)test_[^/]+\.py$|(?:^|\/)conftest\.py$/i;
/** Prose, templates and files that are kept out of git. */
const EXEMPT_FILE =
  /\.(?:md|mdx|markdown|rst|txt|adoc|example|sample|template|tmpl|dist)$|\.(?:example|sample|template|tmpl)\.\w+$|(?:^|\/)\.env(?:\.[\w.-]+)?$|(?:^|\/)\.netrc$|\.secret$/i;
/** Files that hold secrets and are kept out of git, where even a token format is expected. */
const ENV_FILE = /(?:^|\/)\.env(?:\.[\w.-]+)?$|(?:^|\/)\.netrc$|\.secret$/;
/**
 * Whole values that are stock or placeholders: `postgres`, `Password123!`, `changeme`,
 * `your-api-key`, `xxxx…`, and values of other types such as `true` or `null`.
 */
const PLACEHOLDER =
  /^(?:(?:password|passw0rd|changeme|secret|admin|test|demo|example)[\d!@#$%^&*._-]*|postgres|root|admin|password\d*|changeme|change_me|change-me|example\w*|secret\d*|localdev|development|devpassword|testpass\w*|test1234|12345678|admin123|password123|mysecret|notasecret|dummy\w*|placeholder|redacted|your[-_][\w-]+|x{4,}\w*|\.{3}|\*{4,}|true|false|null|nil|none|yes|no|~)$/i;
/** Values that refer to a secret kept elsewhere: variables, templates, vault or KMS references. */
const REFERENCE =
  /^(?:[$%@!<#/~]|\.{1,2}\/|\{\{|ENC\[|vault:|op:\/\/|arn:|ref\+|secret:|sm:\/\/)|\$\{|:\/\//i;

/**
 * A storage object path with a file name: `billing/terraform.tfstate`, `env/app/state.json`.
 * Tokens may contain `/`, but they do not end in a lower-case file extension after a dot.
 */
const OBJECT_PATH = /^(?:[\w.-]+\/)+[\w-]+(?:\.[\w-]+)*\.[a-z]{2,8}$/;

/** Returns the key of a secret-named setting that `added` gives a literal secret value. */
export function secretAssignment(
  relative: string,
  added: string,
  removed: string,
): string | undefined {
  const bare = CONFIG_FILE.test(relative);
  const pattern = new RegExp(ASSIGNMENT.source, 'g');
  for (let match = pattern.exec(added); match !== null; match = pattern.exec(added)) {
    const key = match[1] ?? '';
    // An unquoted value may contain a call with its own assignment, as in
    // `client = OpenAI(api_key='…')`, so the scan goes on right after this key.
    pattern.lastIndex = match.index + key.length + 1;
    const lastPart = key.split(/[.:]/).pop() ?? key;
    const quoted = match[2] ?? match[3] ?? match[4];
    const value = quoted ?? (bare ? match[5] : undefined);
    // A bare `key` (`wandb.login(key='…')`) names a secret only when its value is token-like,
    // not an object path such as a Terraform backend's `key = "billing/terraform.tfstate"`.
    const secretName =
      SECRET_KEY.test(lastPart) ||
      (/^(?:key|auth)$/i.test(lastPart) &&
        value !== undefined &&
        value.length >= 20 &&
        !OBJECT_PATH.test(value));
    if (value !== undefined && secretName && looksLikeSecret(value) && !removed.includes(value)) {
      return key;
    }
  }
  return undefined;
}

/**
 * Checks whether `value` is strong enough to be a real secret rather than a name, number or
 * placeholder: 8 or more characters of three character classes (lower, upper, digit, other),
 * a weak password of 8 or more (see {@link isWeakPassword}), or 20 or more of two classes
 * with at least 3.5 bits of entropy per character.
 */
export function looksLikeSecret(value: string): boolean {
  if (/\s/.test(value) || PLACEHOLDER.test(value) || REFERENCE.test(value)) {
    return false;
  }
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) =>
    pattern.test(value),
  ).length;
  if (value.length >= 8 && (classes >= 3 || isWeakPassword(value))) {
    return true;
  }
  return value.length >= 20 && classes >= 2 && entropy(value) >= 3.5;
}

/**
 * Checks for a password of two character classes, such as `hunter2hunter` or `qwerty!!`:
 * letters mixed with digits or with symbols other than the `-`, `_` and `.` that join the
 * words of a name (`db-primary`, `app_secret`). Callers have already ruled out the stock
 * placeholders (`password1`, `changeme`), references (`${VAR}`, `<password>`) and spaces.
 * Letters alone, digits alone and a version such as `v2` are left out, as those are
 * usually names, numbers or settings.
 */
function isWeakPassword(value: string): boolean {
  const letters = /[a-z]/i.test(value);
  const digits = /\d/.test(value);
  const symbols = /[^A-Za-z0-9_.-]/.test(value);
  const separatorsOnly = !symbols && /[_.-]/.test(value);
  return letters && (digits || symbols) && !separatorsOnly && !/^v?\d+(?:\.\d+)*$/i.test(value);
}

/** Returns the Shannon entropy of `text` in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) {
    counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}

/**
 * Judges a change of the project file `relative` that adds `added`: a literal secret given
 * to a secret-named setting in a file that is neither test code, docs, a template nor `.env`.
 */
export function checkClearSecretChange(
  relative: string,
  removed: string,
  added: string,
): Finding | undefined {
  if (EXEMPT_FILE.test(relative) || TEST_FILE.test(relative)) {
    return undefined;
  }
  const key = secretAssignment(relative, added, removed);
  return key === undefined
    ? undefined
    : {
        category: 'credential-leakage',
        reason: `The change to "${relative}" writes a literal value for the secret setting "${key}" into a file that gets committed`,
        rule: 'clear-secret',
      };
}

/**
 * Finds a shell command that stores a secret in clear text in a committed file: `pulumi
 * config set` of a secret-named key or secret-looking value without `--secret`, or a write
 * (`echo … >> infra/prod.tfvars`, `sed -i`) of a literal token or secret setting.
 */
export function checkClearSecretCommands(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const key = plainPulumiSecret(command);
    if (key !== undefined) {
      return finding(
        'credential-leakage',
        `\`pulumi config set\` without --secret stores "${key}" in clear text in the stack's Pulumi.<stack>.yaml`,
        'pulumi-plaintext-secret',
      );
    }
  }
  for (const write of shellWrites(parsed)) {
    const relative = write.target.replace(/^\.\//, '');
    if (ENV_FILE.test(relative) || write.target.startsWith('$')) {
      continue;
    }
    const exempt = EXEMPT_FILE.test(relative) || TEST_FILE.test(relative);
    const token = tokenLiteral(write.text);
    const key =
      token === undefined && !exempt ? secretAssignment(relative, write.text, '') : undefined;
    if (token !== undefined || key !== undefined) {
      return finding(
        'credential-leakage',
        token !== undefined
          ? `The command writes a literal API token (${token.slice(0, 8)}…) into "${write.target}"`
          : `The command writes a literal value for the secret setting "${key}" into "${write.target}"`,
        'clear-secret',
      );
    }
  }
  return undefined;
}

/**
 * Returns the key that a `pulumi config set` or `set-all` stores in clear text when it is
 * secret-named or its value looks like a secret. `--secret` encrypts the value.
 */
function plainPulumiSecret(command: SimpleCommand): string | undefined {
  if (command.name !== 'pulumi' || command.argv[1] !== 'config') {
    return undefined;
  }
  const args = command.argv.slice(1);
  if (args[1] === 'set-all') {
    for (let index = 2; index < args.length; index += 1) {
      if (args[index] === '--plaintext') {
        const [key = '', ...rest] = (args[index + 1] ?? '').split('=');
        if (isSecretSetting(key, rest.join('='))) {
          return key;
        }
      }
    }
    return undefined;
  }
  if (args[1] !== 'set' || args.includes('--secret')) {
    return undefined;
  }
  const operands = positionals(args.slice(2));
  const [key = '', value] = operands;
  return isSecretSetting(key, value) ? key : undefined;
}

/** Options of `pulumi config set` that take a value. */
const VALUED_OPTIONS = new Set(['-s', '--stack', '-C', '--cwd', '--config-file']);

/** Returns the operands of `args`, skipping options and the values of {@link VALUED_OPTIONS}. */
function positionals(args: readonly string[]): string[] {
  const operands: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      operands.push(...args.slice(index + 1));
      break;
    }
    if (VALUED_OPTIONS.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      operands.push(arg);
    }
  }
  return operands;
}

/** Checks whether a config key is secret-named, or its given value looks like a token. */
function isSecretSetting(key: string, value: string | undefined): boolean {
  const lastPart = key.split(/[.:]/).pop() ?? key;
  // A value alone counts only when it is as long and varied as a token, so `eu-west-1` does not.
  return (
    SECRET_KEY.test(lastPart) ||
    (value !== undefined && value.length >= 20 && looksLikeSecret(value))
  );
}

/**
 * A secret-named environment variable read with a literal default: `process.env.X ?? '…'`,
 * `os.getenv("X", "…")`, `ENV.fetch("X", "…")`, `${X:-…}`. Group 1 is the default.
 */
const ENV_FALLBACK =
  /[A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?|DSN)\b['"\]]?\s*\)?\s*(?:\?\?|\|\||,|:-|\bor\b)\s*['"`]?([^'"`\s)}]+)/g;

/**
 * Returns a literal secret that code sets as the default of a secret-named environment
 * variable, which writes the secret into the source, or undefined.
 */
export function secretFallback(content: string): string | undefined {
  if (!/\?\?|\|\||getenv|environ|fetch|:-|\bor\b/.test(content)) {
    return undefined;
  }
  for (const match of content.matchAll(ENV_FALLBACK)) {
    const value = match[1] ?? '';
    if (value.length >= 12 && looksLikeSecret(value)) {
      return value;
    }
  }
  return undefined;
}
