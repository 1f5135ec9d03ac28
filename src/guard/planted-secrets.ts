/**
 * Secrets written into project files: a token literal added by an edit, or a shell write
 * that expands a secret-named variable into a file that gets committed or read by others.
 */
import { decodeUriSafe } from './decode-uri.js';
import { looksLikeSecret } from './clear-secrets.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { inPlaceEdit, outputTargets } from './shell-writes.js';
import type { CheckGate } from './check-gates.js';

/**
 * Token formats with a fixed prefix, those of redact.ts and more, without the global flag.
 * The part after the prefix must mix letters and digits, so `sk-proj-xxxxxxxxxxxxxxxxxxxx`
 * and other placeholders do not count.
 */
const TOKEN_LITERALS: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/,
  /\b(?:sk|rk)_live_[A-Za-z0-9]{10,}\b/,
  /\bsk-(?:ant-(?:api\d+-)?|proj-)?[A-Za-z0-9_-]{20,}\b/,
  /\bAIza[0-9A-Za-z_-]{35}\b/,
  // Google OAuth client secrets and access tokens.
  /\bGOCSPX-[A-Za-z0-9_-]{20,}/,
  /\bya29\.[A-Za-z0-9_-]{30,}/,
  // Slack app-level tokens and Azure AD client secrets (three characters, then `8Q~`).
  /\bxapp-\d-[A-Za-z0-9-]{20,}/,
  /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/,
  /\bnpm_[A-Za-z0-9]{36}\b/,
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/,
  /\bhf_[A-Za-z0-9]{30,}\b/,
  /\bdop_v1_[a-f0-9]{64}\b/,
  /\bsntry[su]_[A-Za-z0-9+/=_]{40,}/,
  /\bshp(?:at|ss|ca|pa)_[A-Za-z0-9]{32,}\b/,
  /\bpypi-AgE[A-Za-z0-9_-]{50,}/,
  /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/,
  /\blin_(?:api|oauth)_[A-Za-z0-9]{32,}\b/,
  /\bdckr_pat_[A-Za-z0-9_-]{24,}/,
  /\bwhsec_[A-Za-z0-9+/=]{24,}/,
  /\b(?:glsa|gsk|xai|pplx|r8|figd|pscale_tkn|rubygems|doo_v1)[-_][A-Za-z0-9_-]{30,}/,
  /\bdapi[a-f0-9]{32}\b/,
  /\bATATT3[A-Za-z0-9_=-]{50,}/,
  /\bAccountKey=[A-Za-z0-9+/]{60,}={0,2}/,
];

/** Returns a token literal in `text` whose body mixes letters and digits, if any. */
export function tokenLiteral(text: string): string | undefined {
  for (const pattern of TOKEN_LITERALS) {
    const token = pattern.exec(text)?.[0];
    if (token !== undefined && /[0-9]/.test(token.slice(4)) && /[a-zA-Z]/.test(token.slice(4))) {
      return token;
    }
  }
  return undefined;
}

/** Returns a token literal that `added` contains and `removed` does not. */
export function addedTokenLiteral(added: string, removed: string): string | undefined {
  const token = tokenLiteral(added);
  return token !== undefined && !removed.includes(token) ? token : undefined;
}

/**
 * Committed templates and samples: `.env.example`, `config.sample.yml`, `settings.dist.php`,
 * `docker-compose.override.template.yml`, `sample.env`. Their text is copied by every reader.
 */
const TEMPLATE_FILE =
  /(?:^|[/.])(?:example|sample|template|dist|defaults)(?:\.[\w-]+)*$|(?:^|\/)(?:example|sample|template)[\w-]*\.[\w.-]+$/i;
/** The password of a connection URL (`postgres://user:password@host`), with its host. */
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s/@'"]+)@([^\s/:'"?#]+)/gi;

/** Checks whether `file` is a committed template or sample that others copy. */
export function isTemplateFile(file: string): boolean {
  return TEMPLATE_FILE.test(file);
}

/**
 * Returns a description of a real-looking password in a connection URL that `added` writes:
 * the password looks like a secret (see `looksLikeSecret`) and the host is a dotted name
 * other than `localhost` or an `example` domain. `postgres://postgres:postgres@db:5432` and
 * `${DB_PASSWORD}` do not count.
 */
export function connectionUrlPassword(added: string, removed: string): string | undefined {
  if (!added.includes('://')) {
    return undefined;
  }
  for (const match of added.matchAll(URL_PASSWORD)) {
    const [url = '', password = '', host = ''] = match;
    const local =
      !host.includes('.') ||
      /^(?:localhost|127(?:\.\d{1,3}){3})$|(?:^|\.)(?:example\.(?:com|org|net)|localhost|test|invalid)$/i.test(
        host,
      );
    if (!local && !removed.includes(url) && looksLikeSecret(decodeUriSafe(password))) {
      return `a password in a connection URL to ${host}`;
    }
  }
  return undefined;
}

/** Names of variables that hold secrets, such as `SENTRY_AUTH_TOKEN` or `DB_PASSWORD`. */
const SECRET_VARIABLE =
  /\$\{?([A-Za-z_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)[A-Za-z0-9_]*)\}?/i;
/**
 * Files meant to hold secrets and kept out of git, so writing one there is expected. Templates
 * such as `.env.example` are committed, so they do not count.
 */
const SECRET_FILE =
  /(?:^|\/)\.env(?:\.(?!example|sample|template|dist|defaults)[\w.-]+)?$|(?:^|\/)\.netrc$|\.secret$/;
/** A secret-named variable read by inline Perl, which expands `$ENV{NAME}` itself. */
const PERL_SECRET_VARIABLE =
  /\$ENV\{['"]?(\w*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)\w*)['"]?\}/i;
/** Programs that write their arguments or input to a file. */
const WRITERS = new Set(['echo', 'printf', 'cat', 'tee', 'envsubst']);

/**
 * Gate of {@link checkSecretWrites}, which judges only in-place edits by `sed` and `perl` and
 * writes by the `WRITERS`.
 */
export const SECRET_WRITES_GATE: CheckGate = { programs: new Set(['sed', 'perl', ...WRITERS]) };

/**
 * Finds a shell write that expands a secret-named variable into a file, such as
 * `printf 'TOKEN=%s' "$TOKEN" >> docs/setup.md`, or writes a token literal or connection-URL
 * password into a committed template. Writes into `.env` files, into files named by a
 * variable (`>> "$GITHUB_ENV"`) and to `/dev/` are left alone.
 */
export function checkSecretWrites(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const edited = inPlaceSecretEdit(command);
    if (edited !== undefined) {
      return edited;
    }
    if (!WRITERS.has(command.name)) {
      continue;
    }
    const targets = outputTargets(command).filter(
      (target) => !target.startsWith('$') && !target.startsWith('/dev/'),
    );
    const target = targets.find((candidate) => !SECRET_FILE.test(candidate));
    if (target === undefined) {
      continue;
    }
    const source = command.argv.slice(1).join(' ');
    const piped = parsed.commands.find(
      (other) =>
        command.name === 'tee' &&
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other.pipeline.index < (command.pipeline?.index ?? 0),
    );
    const variable = SECRET_VARIABLE.exec(piped === undefined ? source : piped.argv.join(' '));
    if (variable !== null) {
      return finding(
        'credential-leakage',
        `The command writes the value of $${variable[1]} into "${target}"`,
        'secret-variable-write',
      );
    }
    const template = targets.find(isTemplateFile);
    const literal =
      template === undefined
        ? undefined
        : (tokenLiteral(source) ?? connectionUrlPassword(source, ''));
    if (literal !== undefined) {
      return finding(
        'credential-leakage',
        `The command writes a real-looking secret into the committed template "${template}"`,
        'template-secret-write',
      );
    }
  }
  return undefined;
}

/**
 * Finds an in-place edit (`sed -i`, `perl -pi`) whose script expands a secret-named variable
 * into a file that gets committed, such as `.env.example` or a values file.
 */
function inPlaceSecretEdit(command: SimpleCommand): Finding | undefined {
  const edits = inPlaceEdit(command);
  if (edits === undefined || edits.length === 0) {
    return undefined;
  }
  const source = edits[0]?.text ?? '';
  const target = edits.find((edit) => !SECRET_FILE.test(edit.target))?.target;
  const variable = SECRET_VARIABLE.exec(source) ?? PERL_SECRET_VARIABLE.exec(source);
  if (variable === null || target === undefined) {
    return undefined;
  }
  return finding(
    'credential-leakage',
    `The command writes the value of $${variable[1]} into "${target}"`,
    'secret-variable-write',
  );
}

/**
 * Checks whether `command` is an `echo` or `printf` whose output goes only to project env
 * files kept out of git (`.env`, `.env.local`), the usual place for a secret the app reads.
 */
export function writesOnlyToEnvFile(
  command: SimpleCommand,
  isProjectPath: (file: string) => boolean,
): boolean {
  const outputs = command.redirects.filter((redirect) => redirect.operator.includes('>'));
  return (
    (command.name === 'echo' || command.name === 'printf') &&
    command.pipeline === undefined &&
    outputs.length > 0 &&
    outputs.every(
      (redirect) =>
        /(?:^|\/)\.env(?:\.(?!example|sample|template|dist|defaults)[\w.-]+)?$/.test(
          redirect.target,
        ) &&
        !redirect.target.includes('..') &&
        isProjectPath(redirect.target),
    )
  );
}
