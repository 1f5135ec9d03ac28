/**
 * Stage 1: a fast, local, deterministic classifier for shell commands. It leans to
 * blocking: a command it cannot parse with confidence is never allowed automatically.
 */
import { isInside, resolvePath, type PathContext } from './paths.js';
import { DANGER_RULES, EXFIL_HOST_PATTERN, KNOWN_INSTALLERS, type DangerRule } from './rules.js';
import { checkRemoteMutation } from './remote-cli.js';
import { checkContainers, checkPackages } from './supply-chain.js';
import { interpreterName, type ParsedShell, type SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';

/** A reason to block, found by stage 1. */
export interface Finding {
  category: string;
  reason: string;
  /** Check id, such as `stage1:git-force-push`. */
  rule: string;
}

const SHELL_NAMES = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'source', '.']);
const FETCHERS = new Set([
  'curl',
  'wget',
  'fetch',
  'http',
  'https',
  'aria2c',
  'iwr',
  'Invoke-WebRequest',
]);
const SENDERS = new Set([
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
const DNS_TOOLS = new Set(['dig', 'nslookup', 'host', 'drill', 'ping']);
const WRITERS = new Set([
  'unzip',
  'rm',
  'rmdir',
  'unlink',
  'mv',
  'cp',
  'tee',
  'ln',
  'install',
  'chmod',
  'chown',
  'touch',
  'truncate',
  'shred',
  'rsync',
  'dd',
]);

/** Credential files and stores, matched against resolved absolute paths and raw text. */
export const CREDENTIAL_PATH =
  /\/\.ssh\/(?!known_hosts\b|config\b|[^/\s]*\.pub\b)|\/\.ssh$|\.aws\/(?:credentials|config)|\.netrc\b|\.docker\/config\.json|\.config\/gcloud|\.kube\/config|\.npmrc\b|\.pypirc\b|\.git-credentials|\.gnupg\b|\bid_(?:rsa|ed25519|ecdsa|dsa)\b(?!\.pub)|\/etc\/shadow|\.vault-token|\.azure\/|\.config\/gh\/hosts|\.terraform\.d\/credentials|keychain|\/proc\/[^/\s]+\/environ/i;
const SENSITIVE_DATA =
  /(?:^|[/\s'"(])\.env\b(?!\.example|\.sample|\.template)|credentials|secrets?\.(?:ya?ml|json)|\.ssh\b|id_rsa|\.sqlite3?\b|\.db\b|dump|\.pem\b|\.key\b|customers|\/etc\/passwd|\.aws|\.git\b|\.(?:tgz|tar|zip|gz|7z|bak)\b|os\.environ|process\.env/i;

/** Maximum command length, in characters, that stage 1 reviews. Longer commands go to a human. */
const MAX_COMMAND_BYTES = 16_384;

/** Runs every stage-1 check on a parsed Bash command; returns the first finding, if any. */
export function classifyShell(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
): Finding | undefined {
  if (raw.length > MAX_COMMAND_BYTES) {
    return {
      category: 'unparsed',
      reason: `The command is ${raw.length} characters long, over the ${MAX_COMMAND_BYTES} that stage 1 reviews, so a human must review it`,
      rule: 'stage1:too-long',
    };
  }
  if (!parsed.confident) {
    return {
      category: 'unparsed',
      reason: `The command cannot be read with confidence (${parsed.problems[0] ?? 'unknown problem'}), so a human must review it`,
      rule: 'stage1:unparsed',
    };
  }
  const paths: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  const messages = context.userMessages.join('\n');
  const checks = [
    () => checkPipeToShell(parsed, raw, messages),
    () => checkDownloadThenRun(parsed, paths),
    () => checkExfiltration(parsed, raw, paths.homeDir),
    () => checkPaths(parsed, paths, context, messages),
    () => checkRules(parsed, messages),
    () => checkRemoteMutation(parsed, messages),
    () => checkSudo(parsed, messages),
    () => checkRemoteShell(parsed),
    () => checkEnvironmentDump(parsed),
    () => checkPackages(parsed),
    () => checkContainers(parsed),
  ];
  for (const check of checks) {
    const finding = check();
    if (finding !== undefined) {
      return finding;
    }
  }
  return undefined;
}

/** Texts the rules match: every simple command, its assignments and redirect targets, and inline code. */
function commandTexts(parsed: ParsedShell): string[] {
  return [
    ...parsed.commands.map((command) => command.argv.join(' ')),
    ...parsed.commands
      .filter((command) => command.assignments.length > 0)
      .map((command) => command.assignments.join(' ')),
    ...parsed.commands.flatMap((command) =>
      command.redirects.map((redirect) => `> ${redirect.target}`),
    ),
    ...parsed.inlineCode.map((inline) => inline.code),
  ];
}

const DRY_RUN = /\s--dry-run(?:=(?:client|server|true))?(?:\s|$)|\s--check(?:\s|$)/;
const CHANGE_CATEGORIES = new Set([
  'blind-apply',
  'production-deploy',
  'modify-shared-resource',
  'cloud-mass-delete',
  'create-public-surface',
]);

function checkRules(parsed: ParsedShell, messages: string): Finding | undefined {
  const texts = commandTexts(parsed);
  for (const rule of DANGER_RULES) {
    const matching = texts.filter((text) => rule.pattern.test(text));
    // A dry run changes nothing, so rules about changing remote state do not apply to it.
    const onlyDryRuns =
      matching.length > 0 &&
      matching.every((text) => DRY_RUN.test(text)) &&
      CHANGE_CATEGORIES.has(rule.category);
    if (matching.length > 0 && !onlyDryRuns && !hasConsent(rule, messages, parsed)) {
      return {
        category: rule.category,
        reason: `The command ${rule.reason}`,
        rule: `stage1:${rule.id}`,
      };
    }
  }
  return undefined;
}

/**
 * Consent covers what the user named, not more: every consent pattern of the rule must match
 * the user's messages, and for kills and cloud deletes the exact target must be named too.
 */
function hasConsent(rule: DangerRule, messages: string, parsed: ParsedShell): boolean {
  if (messages === '') {
    return false;
  }
  if (rule.category === 'cloud-mass-delete') {
    return namesExactResources(rule, messages, parsed);
  }
  if (rule.id === 'find-delete') {
    return /\b(?:delete|remove|clean)\b/i.test(messages) && namesFindPattern(messages, parsed);
  }
  if (rule.consent === undefined || !rule.consent.every((pattern) => pattern.test(messages))) {
    return false;
  }
  return rule.category !== 'interfere-with-others' || namesTarget(messages, parsed);
}

/** Checks that every resource URI of a cloud delete appears in the user's messages. */
function namesExactResources(rule: DangerRule, messages: string, parsed: ParsedShell): boolean {
  const matching = parsed.commands.filter((command) => rule.pattern.test(command.argv.join(' ')));
  return matching.every((command) => {
    const resources = command.argv.filter((arg) => /^[a-z0-9]+:\/\/\S+/.test(arg));
    return (
      !command.dynamic &&
      command.wrappers.length === 0 &&
      resources.length > 0 &&
      resources.every((uri) => !/[*?[]/.test(uri) && messages.includes(uri))
    );
  });
}

/** Checks that the user's messages name what a `find -delete` matches, such as `.orig` for `-name '*.orig'`. */
function namesFindPattern(messages: string, parsed: ParsedShell): boolean {
  const names = parsed.commands
    .filter((command) => command.name === 'find')
    .flatMap((command) =>
      command.argv.filter((_arg, index) =>
        ['-name', '-iname'].includes(command.argv[index - 1] ?? ''),
      ),
    );
  const lower = messages.toLowerCase();
  return (
    names.length > 0 &&
    names.every((name) => {
      const literal = name.replace(/[*?[\]]/g, '').toLowerCase();
      return literal.length >= 3 && lower.includes(literal);
    })
  );
}

/** Checks that the user's messages name the kill's target: a port, a pid or the process name. */
function namesTarget(messages: string, parsed: ParsedShell): boolean {
  const tokens = parsed.commands
    .flatMap((command) => command.argv.slice(1))
    .flatMap((arg) => arg.split(/[\s:=@]+/))
    .filter((token) => /^\d{3,}$/.test(token) || /^[.\w][\w.-]{3,}$/i.test(token))
    .filter((token) => !['kill', 'pkill', 'lsof', 'signal', 'server', 'session'].includes(token));
  const lower = messages.toLowerCase();
  return tokens.some((token) => {
    const at = lower.indexOf(token.toLowerCase());
    // The token must stand alone, not inside a longer word.
    return at >= 0 && !/\w/.test(lower[at - 1] ?? '') && !/\w/.test(lower[at + token.length] ?? '');
  });
}

function checkPipeToShell(parsed: ParsedShell, raw: string, messages: string): Finding | undefined {
  const piped = parsed.commands.find(
    (command) => isStdinRunner(command) && (command.pipeline?.index ?? 0) > 0,
  );
  const substituted =
    /(?:^|[\s;&|(])(?:bash|sh|zsh|python\d*(?:\.\d+)?|node|perl|ruby|source|\.|eval)\s+(?:-\w+\s+)*["']?(?:<\(|\$\()\s*(?:curl|wget)/.test(
      raw,
    );
  if (piped === undefined && !substituted) {
    return undefined;
  }
  const installer = Object.entries(KNOWN_INSTALLERS).find(([host]) =>
    raw.includes(`https://${host}`),
  );
  if (
    installer !== undefined &&
    new RegExp(`\\binstall\\b.*\\b${installer[1]}\\b|\\b${installer[1]}\\b.*\\binstall`, 'i').test(
      messages,
    )
  ) {
    return undefined;
  }
  return {
    category: 'code-from-external',
    reason: 'The command runs code it downloads or decodes at run time without review',
    rule: 'stage1:pipe-to-shell',
  };
}

function isStdinRunner(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  if (SHELL_NAMES.has(command.name)) {
    return args.every((arg) => arg.startsWith('-') && !/^-[a-z]*c/.test(arg));
  }
  if (interpreterName(command.name) !== undefined) {
    return args.length === 0 || args[0] === '-';
  }
  return ['iex', 'Invoke-Expression'].includes(command.name);
}

function checkDownloadThenRun(parsed: ParsedShell, paths: PathContext): Finding | undefined {
  const downloaded = new Set<string>();
  for (const command of parsed.commands) {
    if (FETCHERS.has(command.name)) {
      const index = command.argv.findIndex(
        (arg) => arg === '-o' || arg === '-O' || arg === '--output',
      );
      const target = command.argv[index + 1];
      if (index > 0 && target !== undefined && target !== '-') {
        downloaded.add(resolvePath(target, paths));
      }
      continue;
    }
    const runs = [
      command.argv[0],
      SHELL_NAMES.has(command.name) || interpreterName(command.name) ? command.argv[1] : undefined,
    ];
    if (runs.some((arg) => arg !== undefined && downloaded.has(resolvePath(arg, paths)))) {
      return {
        category: 'code-from-external',
        reason: 'The command downloads a script and runs it without review',
        rule: 'stage1:download-then-run',
      };
    }
  }
  return undefined;
}

function checkExfiltration(parsed: ParsedShell, raw: string, homeDir: string): Finding | undefined {
  const inline = checkInlineCode(parsed);
  if (inline !== undefined) {
    return inline;
  }
  for (const command of parsed.commands) {
    const text = command.argv.join(' ');
    if (DNS_TOOLS.has(command.name) && /\$\(|`/.test(command.text)) {
      return SENSITIVE_DATA.test(raw)
        ? finding(
            'data-exfiltration',
            'The command encodes local data into DNS lookups',
            'dns-exfiltration',
          )
        : finding(
            'exfil-scouting',
            'The command probes an out-of-band DNS endpoint with host details',
            'dns-probe',
          );
    }
    if (
      !SENDERS.has(command.name) &&
      !/requests\.(?:post|put)|urllib|fetch\(|http\.client/.test(text)
    ) {
      continue;
    }
    const redirectedIn = command.redirects.some(
      (redirect) =>
        redirect.operator === '<' &&
        (SENSITIVE_DATA.test(redirect.target) || CREDENTIAL_PATH.test(redirect.target)),
    );
    const sendsData =
      redirectedIn ||
      /\s(?:-d|--data\S*|-F|--form|-T|--upload-file|--post-file|--body-file)\b|-X\s*(?:POST|PUT)|@-|@\S|files=|data=/.test(
        text,
      ) ||
      (command.pipeline?.index ?? 0) > 0 ||
      ['nc', 'ncat', 'netcat', 'scp', 'rsync'].includes(command.name);
    const pipedData = parsed.commands.some(
      (other) =>
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other !== command &&
        SENSITIVE_DATA.test(other.argv.join(' ')),
    );
    const homeData =
      text.includes(`${homeDir}/`) || /(?:^|[\s'"=@(])~\/|\$HOME\b|\/etc\//.test(command.text);
    const sensitive =
      homeData ||
      SENSITIVE_DATA.test(text) ||
      CREDENTIAL_PATH.test(text) ||
      pipedData ||
      redirectedIn;
    const untrustedHost =
      EXFIL_HOST_PATTERN.test(text) || /(?:[a-z]+:\/\/|\s|@)(?:\d{1,3}\.){3}\d{1,3}\b/.test(text);
    if (sendsData && (sensitive || untrustedHost) && !/localhost|127\.0\.0\.1/.test(text)) {
      return sensitive
        ? finding(
            'data-exfiltration',
            'The command sends private data to a host outside the trust boundary',
            'send-private-data',
          )
        : finding(
            'exfil-scouting',
            'The command sends data to an untrusted or raw-IP endpoint',
            'send-untrusted',
          );
    }
  }
  if (EXFIL_HOST_PATTERN.test(raw)) {
    return finding(
      'exfil-scouting',
      'The command contacts a webhook, paste, tunnel or out-of-band testing service',
      'exfil-host',
    );
  }
  if (readsCredentials(parsed) && sendsOffHost(parsed)) {
    return finding(
      'data-exfiltration',
      'The command line reads credential files and also sends data to another host',
      'credentials-and-network',
    );
  }
  const pushTarget = /git remote add\s+(\S+)\s+\S+.*git push\s+(?:-\S+\s+)*(\S+)/s.exec(raw);
  if (pushTarget !== null && pushTarget[1] === pushTarget[2]) {
    return finding(
      'data-exfiltration',
      'The command pushes the repository to a newly added remote',
      'push-new-remote',
    );
  }
  return undefined;
}

const NETWORK_CODE =
  /requests\.(?:post|put|get|patch)|urlopen|urllib|http\.client|socket\.|fetch\(|axios|https?\.request|XMLHttpRequest|Net::HTTP|LWP::|IO::Socket|Invoke-WebRequest|WebClient/;
const RAW_IP_OR_EXFIL_HOST = /(?:[a-z]+:\/\/|['"@])(?:\d{1,3}\.){3}\d{1,3}\b/;

/** Checks inline interpreter code for network calls that carry private data, and for credential reads. */
function checkInlineCode(parsed: ParsedShell): Finding | undefined {
  for (const { code } of parsed.inlineCode) {
    const credentials = CREDENTIAL_PATH.test(code);
    if (NETWORK_CODE.test(code) && (credentials || SENSITIVE_DATA.test(code))) {
      return finding(
        'data-exfiltration',
        'Inline code sends private data over the network',
        'inline-exfiltration',
      );
    }
    if (
      NETWORK_CODE.test(code) &&
      (RAW_IP_OR_EXFIL_HOST.test(code) || EXFIL_HOST_PATTERN.test(code))
    ) {
      return finding(
        'exfil-scouting',
        'Inline code contacts a raw-IP or out-of-band endpoint',
        'inline-untrusted-host',
      );
    }
    if (credentials) {
      return finding(
        'credential-exploration',
        'Inline code reads credential files',
        'inline-credential-path',
      );
    }
  }
  return undefined;
}

/** Checks whether any command names a credential file (as an argument or a redirect). */
function readsCredentials(parsed: ParsedShell): boolean {
  return parsed.commands.some(
    (command) =>
      command.argv.slice(1).some((arg) => CREDENTIAL_PATH.test(arg)) ||
      command.redirects.some((redirect) => CREDENTIAL_PATH.test(redirect.target)),
  );
}

/** Checks whether any command talks to a host other than this machine. */
function sendsOffHost(parsed: ParsedShell): boolean {
  return parsed.commands.some((command) => {
    const text = command.argv.join(' ');
    const network =
      SENDERS.has(command.name) || DNS_TOOLS.has(command.name) || command.name === 'ssh';
    return network && !/localhost|127\.0\.0\.1|::1/.test(text) && command.argv.length > 1;
  });
}

function checkPaths(
  parsed: ParsedShell,
  paths: PathContext,
  context: GuardContext,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const targets = [
      ...command.redirects
        .filter((redirect) => redirect.operator.includes('>'))
        .map((redirect) => redirect.target),
      ...writeTargets(command),
    ];
    if (command.wrappers.includes('xargs') && DESTRUCTIVE.has(command.name)) {
      return finding(
        'local-destruction',
        `The command runs ${command.name} on paths read at run time`,
        'xargs-write',
      );
    }
    if (SEARCHERS.has(command.name) && searchesForCredentials(command, paths, context)) {
      return finding(
        'credential-exploration',
        'The command searches outside the project for keys or credential files',
        'credential-search',
      );
    }
    const reads = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
    for (const arg of reads) {
      const resolved = /^[~/.$]|^[\w.-]+\//.test(arg) ? resolvePath(arg, paths) : arg;
      if (CREDENTIAL_PATH.test(resolved) && !isInside(resolved, context.projectDir)) {
        return finding(
          'credential-exploration',
          `The command touches the credential file "${arg}"`,
          'credential-path',
        );
      }
    }
    for (const target of targets) {
      const problem = checkWriteTarget(command, target, paths, context, messages);
      if (problem !== undefined) {
        return problem;
      }
    }
  }
  return undefined;
}

/** Checks whether the user's messages name a path outside the project, as written or with `~`. */
function namesPath(messages: string, target: string, resolved: string, homeDir: string): boolean {
  const forms = [target, resolved];
  if (isInside(resolved, homeDir)) {
    forms.push(`~${resolved.slice(homeDir.length)}`);
  }
  // Name the directory too, so "install the config to ~/.config/app" covers files in it.
  const named = forms.flatMap((form) => [form, form.replace(/\/[^/]*$/, '')]);
  return named.some(
    (form) => form.length > 3 && form !== homeDir && form !== '~' && messages.includes(form),
  );
}

/** Checks whether the literal directory before a run-time expansion keeps a write inside the project. */
function isLiteralDirInside(
  prefix: string,
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): boolean {
  const slash = prefix.lastIndexOf('/');
  if (slash <= 0 || command.name === 'rm' || prefix.includes('..')) {
    return false;
  }
  return isInside(resolvePath(prefix.slice(0, slash), paths), context.projectDir);
}

/** Checks whether `target` is a bare wildcard (such as `*` or `.[!.]*`) for everything in `directory`. */
function isWildcardAt(target: string, directory: string, paths: PathContext): boolean {
  const trimmed = target.replace(/\/$/, '');
  const slash = trimmed.lastIndexOf('/');
  const base = trimmed.slice(slash + 1);
  if (!/[*?[]/.test(base) || !/^[.*?[\]!]+$/.test(base)) {
    return false;
  }
  return resolvePath(slash === -1 ? '.' : trimmed.slice(0, slash) || '/', paths) === directory;
}

/** Returns the file operands a command writes or deletes, skipping the script operand of `sed -i`. */
function writeTargets(command: SimpleCommand): string[] {
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (command.name === 'ln' || command.name === 'cp' || command.name === 'install') {
    // Only the last operand is written; the others are read.
    return operands.slice(-1);
  }
  if (command.name === 'tar' || command.name === 'unzip') {
    const flagIndex = command.argv.findIndex(
      (arg) => arg === '-C' || arg === '--directory' || arg === '-d',
    );
    const directory = flagIndex > 0 ? command.argv[flagIndex + 1] : undefined;
    return directory === undefined ? [] : [directory];
  }
  if (
    command.name === 'sed' &&
    command.argv.some((arg) => /^-[a-zA-Z]*i/.test(arg) || arg.startsWith('--in-place'))
  ) {
    // The first operand is the script or the text after `-e`, and neither is a file.
    return operands.slice(1);
  }
  return WRITERS.has(command.name) ? operands : [];
}

function checkWriteTarget(
  command: SimpleCommand,
  target: string,
  paths: PathContext,
  context: GuardContext,
  messages: string,
): Finding | undefined {
  if (
    /^\/dev\/(?:null|stdout|stderr|fd\/\d)$|^&?\d$/.test(target) ||
    target === '' ||
    target.startsWith('s3:')
  ) {
    return undefined;
  }
  const dynamicAt = target.search(/\$|`/);
  if (dynamicAt >= 0 && !isLiteralDirInside(target.slice(0, dynamicAt), command, paths, context)) {
    return finding(
      'local-destruction',
      `The command writes or deletes "${target}", a path computed at run time`,
      'write-dynamic-path',
    );
  }
  const resolved = resolvePath(target, paths);
  if (isInside(resolved, '/tmp') && !target.includes('..')) {
    return undefined;
  }
  if (
    !isInside(resolved, context.projectDir) &&
    !namesPath(messages, target, resolved, paths.homeDir)
  ) {
    return finding(
      'local-destruction',
      `The command writes or deletes "${target}" outside the project`,
      'write-outside-project',
    );
  }
  const atRoot = resolved === context.projectDir || isWildcardAt(target, context.projectDir, paths);
  if (
    command.name === 'rm' &&
    (atRoot || /\/\.git(?:\/|$)/.test(resolved)) &&
    !/\b(?:everything|all files|whole project)\b/i.test(messages)
  ) {
    return finding(
      'local-destruction',
      `The command deletes "${target}", which is the whole project or its history`,
      'delete-project',
    );
  }
  return undefined;
}

const DESTRUCTIVE = new Set([
  'sed',
  'perl',
  'rm',
  'rmdir',
  'unlink',
  'shred',
  'truncate',
  'chmod',
  'chown',
  'mv',
  'dd',
]);
const SEARCHERS = new Set(['find', 'grep', 'rg', 'ag', 'locate', 'fd', 'ls', 'tar', 'zip', 'du']);
const CREDENTIAL_NAME =
  /AKIA|BEGIN [A-Z ]*KEY|ghp_|sk_live|xox[bp]|\*\.(?:pem|key|p12|pfx|kdbx|ovpn)|id_(?:rsa|ed25519)|credentials|\.env\b|\.netrc|secret|token|passw/i;

function searchesForCredentials(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): boolean {
  const operands = command.argv.slice(1);
  const outside = operands.some(
    (arg) => /^[~/]/.test(arg) && !isInside(resolvePath(arg, paths), context.projectDir),
  );
  return outside && operands.some((arg) => CREDENTIAL_NAME.test(arg));
}

const SSH_VALUE_OPTIONS = new Set([
  '-i',
  '-p',
  '-o',
  '-l',
  '-F',
  '-J',
  '-L',
  '-R',
  '-D',
  '-W',
  '-b',
  '-c',
  '-E',
  '-e',
  '-m',
  '-O',
  '-Q',
  '-S',
  '-w',
  '-B',
]);
const REMOTE_READ_ONLY = new Set([
  'uptime',
  'df',
  'free',
  'uname',
  'hostname',
  'whoami',
  'id',
  'date',
  'ls',
  'cat',
  'head',
  'tail',
  'grep',
  'ps',
  'du',
  'nproc',
  'lsblk',
  'w',
  'who',
  'last',
  'echo',
  'test',
  'true',
  'ss',
  'netstat',
  'journalctl',
  'docker ps',
  'systemctl status',
  'pwd',
  'wc',
  'stat',
  'which',
]);

/** Blocks an ssh call unless its remote command is a known read-only one. */
function checkRemoteShell(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands.filter((candidate) => candidate.name === 'ssh')) {
    let index = 1;
    while (index < command.argv.length && (command.argv[index] ?? '').startsWith('-')) {
      index += SSH_VALUE_OPTIONS.has(command.argv[index] ?? '') ? 2 : 1;
    }
    const remote = command.argv
      .slice(index + 1)
      .join(' ')
      .trim();
    const parts = remote.split(/&&|\|\||;|\|/).map((part) => part.trim().split(/\s+/));
    const readOnly =
      remote !== '' &&
      parts.every(
        (words) =>
          REMOTE_READ_ONLY.has(words[0] ?? '') || REMOTE_READ_ONLY.has(words.slice(0, 2).join(' ')),
      );
    if (!readOnly) {
      return finding(
        'remote-shell-write',
        'The command runs commands on a remote host that may change its state',
        'ssh-remote-command',
      );
    }
  }
  return undefined;
}

const SECRET_WORDS = /token|secret|key|passw|credential|auth|api/i;

/** Blocks dumping the process environment unless a grep narrows it to names that hold no secrets. */
function checkEnvironmentDump(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const environment =
      (command.name === 'env' || command.name === 'printenv' || command.name === 'set') &&
      command.argv.length === 1;
    const history =
      command.name === 'history' ||
      (command.pipeline !== undefined &&
        /^git (?:log|show|rev-list)\b.*\s(?:-p|--patch)\b/.test(command.argv.join(' ')));
    const dumps = environment || history;
    if (!dumps) {
      continue;
    }
    const filters = parsed.commands.filter(
      (other) =>
        other.name === 'grep' &&
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other.pipeline.index > (command.pipeline?.index ?? 0),
    );
    const seeksSecrets = filters.some((grep) =>
      grep.argv.slice(1).some((arg) => SECRET_WORDS.test(arg)),
    );
    const narrowed =
      filters.length > 0 && !seeksSecrets && filters.every((grep) => !grep.argv.includes('-v'));
    // History is fine to read; searching it for secrets is not. The environment is the reverse.
    if (history ? seeksSecrets : !narrowed) {
      return finding(
        'credential-exploration',
        'The command prints environment variables or history that may hold secrets',
        'environment-dump',
      );
    }
  }
  return undefined;
}

function checkSudo(parsed: ParsedShell, messages: string): Finding | undefined {
  const elevated = parsed.commands.find(
    (command) => command.wrappers.includes('sudo') || command.wrappers.includes('doas'),
  );
  if (elevated === undefined) {
    return undefined;
  }
  const packageInstall =
    /^(?:apt|apt-get|dnf|yum|apk|zypper|pacman|brew)\b.*\b(?:install|update|-S|-Sy)\b/.test(
      elevated.argv.join(' '),
    );
  if (packageInstall && /\binstall\b/i.test(messages)) {
    return undefined;
  }
  return finding(
    'permission-grant',
    'The command runs as root, which needs a human to approve',
    'sudo',
  );
}

function finding(category: string, reason: string, id: string): Finding {
  return { category, reason, rule: `stage1:${id}` };
}
