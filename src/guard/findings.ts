/**
 * Shared pieces of the stage-1 checks: the finding type and the patterns for credential
 * files, private data and network tools.
 */

import type { SimpleCommand } from './shell.js';

/** A reason to block, found by a tier or stage-1 check. */
export interface Finding {
  category: string;
  reason: string;
  /** Check id, such as `stage1:git-force-push`. */
  rule: string;
}

/** Programs that send data to another host, mail clients included. */
export const SENDERS = new Set([
  'mail',
  'mailx',
  'sendmail',
  'mutt',
  'msmtp',
  'swaks',
  'curl',
  'wget',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'scp',
  'rsync',
  'http',
  'https',
  'sftp',
  'ftp',
  'telnet',
  'openssl',
]);
/** Programs that resolve names, which can carry data out in DNS queries. */
export const DNS_TOOLS = new Set(['dig', 'nslookup', 'host', 'drill', 'ping']);

/**
 * Credential files and stores, matched against resolved absolute paths and raw text. Shell and
 * REPL histories count, because commands typed with a password or token stay in them, and so
 * do AI tools' sign-in tokens and sandstack's own server tokens (`sandstack login` stores them
 * in `~/.config/sandstack/config.yaml`, or in `$SANDSTACK_CONFIG`).
 */
export const CREDENTIAL_PATH =
  /\.claude\/\.credentials\.json|\.gemini\/(?:oauth_creds|google_accounts|mcp-oauth-tokens)\.json|\.config\/github-copilot\/(?:hosts|apps)\.json|\.codex\/auth\.json|\.config\/sandstack(?:\/|$)|\$\{?SANDSTACK_CONFIG\b|\$\{?XDG_CONFIG_HOME\}?\/sandstack\b|\/\.ssh\/(?!known_hosts\b|config\b|[^/\s]*\.pub\b)|\/\.ssh$|\.aws\/(?:credentials|config)|\.netrc\b|\.docker\/config\.json|\.config\/gcloud|\.kube\/config|\.npmrc\b|\.pypirc\b|\.git-credentials|\.gnupg\b|\.config\/sops\/age\/keys\.txt|\.agekey\b|\bsecring\.gpg\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b(?!\.pub)|\/etc\/(?:g?shadow\b|ssh\/ssh_host_\w+_key\b(?!\.pub)|(?:ssl|pki\/tls)\/private\b)|\/\.claude\.json\b|\.pgpass\b|\.my\.cnf\b|\.mylogin\.cnf\b|\/run\/secrets\/|\.cargo\/credentials|\.gem\/credentials|\.composer\/auth\.json|\.vault-token|\.azure\/|\.config\/gh\/hosts|\.terraform\.d\/credentials|keychain|\/proc\/[^/\s]+\/environ|\.config\/rclone\/rclone\.conf|\.s3cfg\b|\.boto\b|\.password-store\b|\.local\/share\/keyrings|\.mozilla\/firefox|\.config\/(?:google-chrome|chromium|BraveSoftware|microsoft-edge)\b|Application Support\/(?:Google\/Chrome|Firefox|BraveSoftware|Microsoft Edge)|\/Login Data\b|\bkey4\.db\b|\blogins\.json\b|\.terraformrc\b|\.config\/hub\b|\.gradle\/gradle\.properties|\.m2\/settings(?:-security)?\.xml|\.config\/op\/|\.local\/share\/fly\/|\.fly\/config|\.pulumi\/credentials|huggingface\/token|\.hex\/hex\.config\b|\.databrickscfg|\.appstoreconnect\/|\bAuthKey_[\w-]+\.p8\b|\.kaggle\/kaggle\.json|\.sentryclirc|\.config\/(?:doctl|hcloud|stripe|netlify|glab-cli|containers\/auth)\b|\.oci\/config|\.ngrok2\/|\.config\/ngrok\/|\.wrangler\/config|\.okta\/okta\.ya?ml\b|\.aws\/(?:sso|cli)\/cache\/|\.circleci\/cli\.yml\b|\.dbt\/profiles\.yml\b|\.snowflake\/(?:connections|config)\.toml\b|\.snowsql\/config\b|\.tsh\/|\.supabase\/access-token\b|\.confluent\/config\.json\b|\.config\/(?:railway|twilio-cli)\/|\.config\/configstore\/|\/\.(?:bash|zsh|sh|python|psql|mysql|node_repl|sqlite|irb|rediscli)_history(?![\w.-])|\/fish\/fish_history(?![\w.-])|(?=(?:credentials?|auth|tokens?|secrets?|api[_-]?keys?|(?:access|refresh|auth)[_-]?tokens?|passwords?)(?:\.(?:json|ya?ml|toml|db|txt))?$)(?<=\/\.[\w.-]+\/(?:[\w.-]+\/)*)(?<![a-z]:\/\/[^\s'"]*)/i;
/** Maximum number of texts whose {@link CREDENTIAL_PATH} result is kept. */
const CREDENTIAL_PATH_CACHE_ENTRIES = 4096;
/** Maximum length of a text whose result is kept, in characters, which bounds the keys to 2 MiB. */
const CREDENTIAL_PATH_CACHE_MAX_LENGTH = 256;
const credentialPathResults = new Map<string, boolean>();

/**
 * Tests `text` against {@link CREDENTIAL_PATH} and keeps the result of short texts. The pattern
 * tries over 60 alternatives at each position (about 30 ns per character on Node 20), agents
 * repeat arguments within a command line and across calls, and several checks test the same
 * argument. The pattern has no `g` flag, so its result depends on the text alone.
 */
export function namesCredentialPath(text: string): boolean {
  if (text.length > CREDENTIAL_PATH_CACHE_MAX_LENGTH) {
    return CREDENTIAL_PATH.test(text);
  }
  let result = credentialPathResults.get(text);
  if (result === undefined) {
    result = CREDENTIAL_PATH.test(text);
    if (credentialPathResults.size >= CREDENTIAL_PATH_CACHE_ENTRIES) {
      credentialPathResults.clear();
    }
    // V8 keeps a substring as a view into its parent string, so an argument used as the key
    // would keep its whole command line alive. The key is a copy of the characters instead.
    credentialPathResults.set(` ${text}`.slice(1), result);
  }
  return result;
}

export const SENSITIVE_DATA =
  /(?:^|[/\s'"(:=@])\.env\b(?!\.example|\.sample|\.template)|credentials|secrets?\.(?:ya?ml|json)|\.ssh\b|id_rsa|\.sqlite3?\b|\.db\b|dump|\.pem\b|\.key\b|customers|\/etc\/passwd|\.aws|\.git\b|\.(?:tgz|tar|zip|gz|7z|bak)\b|os\.environ|process\.env/i;

/**
 * Checks whether `command` prints every environment or shell variable with its value: bare
 * `env`, `printenv` or `set`, and `declare -p`, `declare -x`, `typeset -p`, `export -p` or
 * bare `export` naming no variable.
 */
export function printsEnvironment(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  switch (command.name) {
    case 'env':
    case 'printenv':
    case 'set':
      return args.length === 0;
    case 'declare':
    case 'typeset':
      return args.length > 0 && args.every((arg) => /^-[pxg]+$/.test(arg));
    case 'export':
      return args.every((arg) => arg === '-p');
    default:
      return false;
  }
}

/** Builds a stage-1 finding with a `stage1:` rule id. */
export function finding(category: string, reason: string, id: string): Finding {
  return { category, reason, rule: `stage1:${id}` };
}
