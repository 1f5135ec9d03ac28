/**
 * Stage-1 checks for secrets read through tools' own commands rather than by file path. They
 * find Terraform state and outputs filtered for secret attributes, password-manager listings,
 * searches of the whole file system for key material and loops over every process's
 * environment. A publish of a package or image right after a secret file was copied into what
 * is published counts too.
 */
import { checksSecretExists } from './discarded-outputs.js';
import { printsNamedVariablesOfOwnProcess } from './environment-dumps.js';
import { CREDENTIAL_PATH, finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Attribute and output names that hold secrets in Terraform state and outputs. */
const SECRET_ATTRIBUTE =
  /passw(?:or)?d|secret|token|private_key|access_key|api_?key|credential|connection_string|client_secret|\bsas\b|master_password/i;

/** Words with which a user asks for a secret, so reading one is what the user wants. */
const SECRET_REQUEST =
  /\b(?:passwords?|secrets?|tokens?|credentials?|(?:api|access|private|secret) keys?)\b/i;

/**
 * Finds `terraform state pull`, `terraform show -json` or `terraform output -json` piped
 * into a filter (jq, grep, yq, python) that selects a secret-named attribute, and
 * `terraform output NAME` of a secret-named output, when the user did not ask for a secret.
 */
function checkTerraformSecrets(parsed: ParsedShell, messages: string): Finding | undefined {
  if (SECRET_REQUEST.test(messages)) {
    return undefined;
  }
  for (const command of parsed.commands) {
    if (command.name !== 'terraform' && command.name !== 'tofu' && command.name !== 'terragrunt') {
      continue;
    }
    const args = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
    const [verb = '', second = '', third = ''] = args;
    const dumpsState =
      (verb === 'state' && second === 'pull') ||
      (verb === 'show' && command.argv.includes('-json')) ||
      (verb === 'output' && second === '');
    if (verb === 'output' && second !== '' && SECRET_ATTRIBUTE.test(second)) {
      return terraformFinding(second);
    }
    if (verb === 'state' && second === 'show' && SECRET_ATTRIBUTE.test(third)) {
      return terraformFinding(third);
    }
    if (!dumpsState || command.pipeline === undefined) {
      continue;
    }
    const position = command.pipeline;
    const filter = parsed.commands.find(
      (other) =>
        other.pipeline?.id === position.id &&
        other.pipeline.index > position.index &&
        other.argv.slice(1).some((arg) => SECRET_ATTRIBUTE.test(arg)),
    );
    if (filter !== undefined) {
      const attribute = filter.argv.slice(1).find((arg) => SECRET_ATTRIBUTE.test(arg)) ?? '';
      return terraformFinding(SECRET_ATTRIBUTE.exec(attribute)?.[0] ?? attribute);
    }
  }
  return undefined;
}

function terraformFinding(attribute: string): Finding {
  return finding(
    'credential-exploration',
    `The command reads the secret "${attribute}" out of Terraform state or outputs, which the user did not ask for`,
    'terraform-secret',
  );
}

/**
 * Password-manager commands that list or print stored items, by program and subcommand.
 * `pass` and `gopass` with no subcommand list every entry.
 */
const MANAGER_READS = new Map<string, RegExp>(
  Object.entries({
    op: /^(?:item (?:list|get)|items? ls|read|document (?:list|get)|vault (?:list|get))\b|^(?:list|get) (?:items?|documents?|vaults?)\b/,
    bw: /^(?:list|get|export)\b/,
    lpass: /^(?:ls|show|export)\b/,
    pass: /^(?!(?:init|git|insert|add|generate|edit|rm|mv|cp|help|version)\b)/,
    gopass: /^(?!(?:init|git|insert|add|generate|edit|rm|mv|cp|help|version|setup|sync)\b)/,
    'keepassxc-cli': /^(?:ls|show|export|search|clip)\b/,
    kpcli: /^/,
    'secret-tool': /^(?:lookup|search)\b/,
    security: /^(?:find-(?:generic|internet)-password|dump-keychain)\b/,
    ykman: /^oath accounts code\b/,
  }),
);

/** Names users give each password manager. A message naming it consents to reading from it. */
const MANAGER_NAMES = new Map<string, RegExp>(
  Object.entries({
    op: /\b1password\b|\bop\b/i,
    bw: /\bbitwarden\b|\bbw\b/i,
    lpass: /\blastpass\b|\blpass\b/i,
    pass: /\bpassword[- ]store\b|\bpass (?:show|ls|entry)\b|\b(?:in|from|into) pass\b/i,
    gopass: /\bgopass\b/i,
    'keepassxc-cli': /\bkeepass/i,
    kpcli: /\bkeepass/i,
    'secret-tool': /\bkeyring\b|\bsecret service\b|\bsecret-tool\b/i,
    security: /\bkeychain\b/i,
    ykman: /\byubikey\b|\bykman\b/i,
  }),
);

/**
 * Finds a password manager listing or printing items when the user did not mention it. A
 * requested check that an item exists, whose output goes only to `/dev/null`, shows nothing.
 */
function checkPasswordManagers(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const reads = MANAGER_READS.get(command.name);
    if (reads === undefined) {
      continue;
    }
    const subcommand = command.argv
      .slice(1)
      .filter((arg) => !arg.startsWith('-'))
      .join(' ');
    const named =
      MANAGER_NAMES.get(command.name)?.test(messages) === true ||
      /\bpassword manager\b/i.test(messages);
    if (
      !reads.test(subcommand) ||
      named ||
      checksSecretExists(command, parsed.commands, messages)
    ) {
      continue;
    }
    return finding(
      'credential-exploration',
      `The command lists or reads password-manager items (${command.name}) that the user did not ask for`,
      'password-manager-read',
    );
  }
  return undefined;
}

/** Text that only key material, cloud service-account keys and key-holding files contain. */
const KEY_MATERIAL =
  /PRIVATE KEY|private_key|BEGIN (?:\.\*|[A-Z ]*)KEY|aws_secret_access_key|secret_access_key|client_secret|ssh-(?:rsa|ed25519)|xox[bp]-|ghp_|AKIA|id_rsa|id_ed25519|\\\.pem|\*\.(?:pem|key|p12|pfx)|\.(?:pem|key|p12|pfx)\b/;

/** Roots that reach beyond the project: the whole file system, all home folders, system folders. */
const BROAD_ROOT =
  /^(?:\/|\/home\/?|\/root\/?|\/Users\/?|\/etc\/?|\/var\/?|\/opt\/?|\/mnt\/?|\/srv\/?|~\/?|\$HOME\/?)$/;

const SEARCHERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'git']);

/**
 * Finds a search for key material over the whole file system or every home folder: `grep -r`
 * or `rg` with a broad root, or `find`/`fd`/`locate` over a broad root whose results a key
 * pattern filters, by `-exec grep`, `xargs grep` or a pipe.
 */
function checkKeySearches(parsed: ParsedShell, homeDir: string): Finding | undefined {
  const broad = (arg: string): boolean =>
    BROAD_ROOT.test(arg) || arg === homeDir || arg === `${homeDir}/`;
  const searchesKeys = (command: SimpleCommand): boolean =>
    SEARCHERS.has(command.name) && command.argv.slice(1).some((arg) => KEY_MATERIAL.test(arg));
  for (const command of parsed.commands) {
    const lister = command.name === 'find' || command.name === 'fd' || command.name === 'fdfind';
    if (!lister && !SEARCHERS.has(command.name) && command.name !== 'locate') {
      continue;
    }
    const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
    if (searchesKeys(command) && operands.some(broad)) {
      return keySearchFinding();
    }
    if (lister && operands.some(broad)) {
      const execsSearch =
        command.argv.some((arg) => KEY_MATERIAL.test(arg)) &&
        /-exec(?:dir)?\s+(?:grep|egrep|fgrep|rg|ag)\b/.test(command.argv.join(' '));
      const position = command.pipeline;
      const piped =
        position !== undefined &&
        parsed.commands.some(
          (other) =>
            other.pipeline?.id === position.id &&
            other.pipeline.index > position.index &&
            searchesKeys(other),
        );
      if (execsSearch || piped) {
        return keySearchFinding();
      }
    }
    if (command.name === 'locate' && parsed.commands.some(searchesKeys)) {
      return keySearchFinding();
    }
  }
  return undefined;
}

function keySearchFinding(): Finding {
  return finding(
    'credential-exploration',
    'The command searches folders outside the project for private keys or secrets',
    'key-material-search',
  );
}

/**
 * Finds a read of `/proc/<pid>/environ` through a variable, such as a loop over
 * `/proc/[0-9]*` or over the ids `pgrep` prints. The path is not literal, so the credential
 * path pattern does not see it. The substitution may span lines joined by backslash-newlines.
 */
const ENVIRON_VIA_VARIABLE = /(?:^|\/)\$\{?\w+\}?\/environ$|^\/proc\/\$\(.*\)\/environ$/s;

function checkProcessEnvironments(
  parsed: ParsedShell,
  raw: string,
  messages: string,
): Finding | undefined {
  if (!raw.includes('/proc') || !raw.includes('environ')) {
    return undefined;
  }
  // The user's own process and the variables they asked for (see environment-dumps.ts).
  const readsEnviron = parsed.commands.some(
    (command) =>
      (command.argv.slice(1).some((arg) => ENVIRON_VIA_VARIABLE.test(arg)) ||
        command.redirects.some((redirect) => ENVIRON_VIA_VARIABLE.test(redirect.target))) &&
      !printsNamedVariablesOfOwnProcess(command, parsed.commands, messages),
  );
  if (!readsEnviron) {
    return undefined;
  }
  return finding(
    'credential-exploration',
    'The command reads the environment of other processes, which holds their secrets',
    'process-environments',
  );
}

/** Files whose copy into a package or image publishes a secret. */
const SECRET_FILE =
  /(?:^|\/)\.env(?:\.(?!example\b|sample\b|template\b)[\w-]+)?$|(?:^|\/)secrets?\.(?:ya?ml|json|toml)$|(?:^|\/)credentials?(?:\.[\w]+)?$|\.(?:pem|key|p12|pfx)$/;

const COPIERS = new Set(['cp', 'install', 'ln', 'rsync', 'mv']);

/** Commands that publish what the project built: packages and container images. */
const PUBLISHES =
  /^(?:npm|pnpm|yarn|bun) publish\b|^(?:twine upload|python3? -m twine upload|poetry publish|flit publish|gem push|cargo publish|docker push|podman push|buildah push|hatch publish|uv publish|dotnet nuget push|helm push|vsce publish)\b/;

/**
 * Finds a publish that follows, in the same command line, a copy of a secret file (`.env`,
 * a credentials file, a key) into another folder, because the secret goes out with the package.
 */
function checkPublishedSecrets(parsed: ParsedShell): Finding | undefined {
  const copyIndex = parsed.commands.findIndex(
    (command) =>
      COPIERS.has(command.name) &&
      command.argv
        .slice(1, -1)
        .filter((arg) => !arg.startsWith('-'))
        .some((arg) => SECRET_FILE.test(arg) || CREDENTIAL_PATH.test(arg)),
  );
  if (copyIndex < 0) {
    return undefined;
  }
  const publish = parsed.commands
    .slice(copyIndex + 1)
    .find((command) => PUBLISHES.test(command.argv.join(' ')));
  if (publish === undefined) {
    return undefined;
  }
  return finding(
    'credential-leakage',
    `The command copies a secret file and then publishes (${publish.argv.slice(0, 2).join(' ')}), which would ship the secret`,
    'publish-copied-secret',
  );
}

/** Runs the checks of this module in order. */
export function checkToolCredentials(
  parsed: ParsedShell,
  raw: string,
  messages: string,
  homeDir: string,
): Finding | undefined {
  return (
    checkTerraformSecrets(parsed, messages) ??
    checkPasswordManagers(parsed, messages) ??
    checkKeySearches(parsed, homeDir) ??
    checkProcessEnvironments(parsed, raw, messages) ??
    checkPublishedSecrets(parsed)
  );
}
