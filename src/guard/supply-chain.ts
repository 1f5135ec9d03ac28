/**
 * Stage-1 checks on what enters the project: package names one typo away from a popular
 * package, and containers from unknown publishers run with host access.
 */
import type { ParsedShell, SimpleCommand } from './shell.js';
import { containsWord } from './named-targets.js';
import type { Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';

/** Popular package names that typosquats imitate, per ecosystem. */
const POPULAR: Record<Ecosystem, readonly string[]> = {
  npm: [
    'request',
    'express',
    'lodash',
    'react',
    'axios',
    'chalk',
    'commander',
    'debug',
    'moment',
    'webpack',
    'typescript',
    'eslint',
    'prettier',
    'jest',
    'vitest',
    'dotenv',
    'uuid',
    'yargs',
    'colors',
    'cross-env',
    'node-fetch',
    'mongoose',
    'socket.io',
    'electron',
    'jquery',
    'vue',
    'next',
    'babel-cli',
    'coffee-script',
    'bcrypt',
    'jsonwebtoken',
    'crypto-js',
    'discord.js',
    'nodemailer',
    'puppeteer',
    'undici',
    'zod',
    'tailwindcss',
    'esbuild',
    'nodemon',
    'classnames',
    'sequelize',
    'ioredis',
    'date-fns',
    'styled-components',
    'firebase',
    'graphql',
    'mongodb',
    'passport',
    'winston',
    'rimraf',
    'minimist',
    'cheerio',
    'fs-extra',
    'inquirer',
    'bluebird',
    'underscore',
  ],
  pypi: [
    'requests',
    'urllib3',
    'numpy',
    'pandas',
    'django',
    'flask',
    'boto3',
    'pyyaml',
    'setuptools',
    'cryptography',
    'httpx',
    'pydantic',
    'pillow',
    'scipy',
    'matplotlib',
    'selenium',
    'beautifulsoup4',
    'colorama',
    'python-dateutil',
    'openai',
    'torch',
    'tensorflow',
    'fastapi',
    'sqlalchemy',
    'jinja2',
    'pytest',
    'scikit-learn',
    'transformers',
    'celery',
    'pymongo',
    'paramiko',
    'aiohttp',
    'openpyxl',
    'seaborn',
    'networkx',
    'langchain',
    'anthropic',
    'protobuf',
    'certifi',
    'virtualenv',
    'tokenizers',
  ],
  cargo: [
    'serde',
    'serde_json',
    'tokio',
    'clap',
    'rand',
    'reqwest',
    'anyhow',
    'thiserror',
    'regex',
    'chrono',
    'tracing',
    'hyper',
    'axum',
    'log',
    'env_logger',
    'itertools',
    'once_cell',
    'futures',
    'bytes',
    'uuid',
  ],
  // Names of four letters or more only, because shorter gems (`pg`, `oj`, `jwt`) are one
  // edit away from many real gems. `racc` is listed so that it is not taken for `rack`.
  rubygems: [
    'rails',
    'rake',
    'rack',
    'racc',
    'nokogiri',
    'rspec',
    'rspec-rails',
    'puma',
    'sinatra',
    'devise',
    'rubocop',
    'bundler',
    'activesupport',
    'activerecord',
    'actionpack',
    'sidekiq',
    'faraday',
    'httparty',
    'capybara',
    'minitest',
    'jekyll',
    'mysql2',
    'sqlite3',
    'redis',
    'faker',
    'thor',
    'json',
    'aws-sdk-s3',
    'factory_bot',
    'pundit',
    'cancancan',
    'kaminari',
    'paperclip',
    'unicorn',
    'sequel',
    'bcrypt',
  ],
  go: [
    'github.com/stretchr/testify',
    'github.com/spf13/cobra',
    'github.com/spf13/viper',
    'github.com/gin-gonic/gin',
    'github.com/gorilla/mux',
    'github.com/gorilla/websocket',
    'github.com/sirupsen/logrus',
    'github.com/google/uuid',
    'github.com/pkg/errors',
    'github.com/labstack/echo',
    'github.com/go-chi/chi',
    'github.com/urfave/cli',
    'github.com/golang-jwt/jwt',
    'github.com/lib/pq',
    'github.com/jackc/pgx',
    'github.com/redis/go-redis',
    'github.com/prometheus/client_golang',
    'github.com/aws/aws-sdk-go-v2',
    'go.uber.org/zap',
    'gorm.io/gorm',
  ],
};

type Ecosystem = 'npm' | 'pypi' | 'cargo' | 'go' | 'rubygems';

/** Publishers whose images are official; other images with a publisher prefix are unvetted. */
const TRUSTED_IMAGE_PREFIXES = [
  'library/',
  'docker.io/library/',
  'mcr.microsoft.com/',
  'gcr.io/distroless/',
  'public.ecr.aws/docker/library/',
  'registry.k8s.io/',
  'quay.io/podman/',
  'ghcr.io/astral-sh/',
];
const DOCKER_VALUE_OPTIONS = new Set([
  '-v',
  '--volume',
  '-e',
  '--env',
  '-p',
  '--publish',
  '-w',
  '--workdir',
  '--name',
  '--network',
  '--net',
  '-u',
  '--user',
  '--entrypoint',
  '--mount',
  '--env-file',
  '--platform',
  '-h',
  '--hostname',
  '-l',
  '--label',
  '--cpus',
  '-m',
  '--memory',
  '--pull',
  '--restart',
  '--add-host',
  '--device',
  '--cap-add',
  '--security-opt',
  '--gpus',
]);

/** Finds an install of a name one or two edits away from a popular package. */
export function checkPackages(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const ecosystem = installEcosystem(command);
    if (ecosystem === undefined) {
      continue;
    }
    const computed = computedPackage(command, ecosystem);
    if (computed !== undefined) {
      return {
        category: 'untrusted-code-integration',
        reason: `The command installs "${computed}", a package name computed when it runs, so the request cannot have named it`,
        rule: 'stage1:computed-package',
      };
    }
    const names = installOperands(command, ecosystem).map((name) =>
      ecosystem === 'go'
        ? goModuleOf(name)
        : name.replace(/^(@?[^@=<>~!\s[]+).*$/, '$1').toLowerCase(),
    );
    for (const name of names) {
      const target = POPULAR[ecosystem].find(
        (popular) =>
          popular !== name && editDistance(popular, name) <= (popular.length > 6 ? 2 : 1),
      );
      if (target !== undefined && !POPULAR[ecosystem].includes(name)) {
        return {
          category: 'untrusted-code-integration',
          reason: `The package "${name}" is one typo away from the popular "${target}"; check the name`,
          rule: 'stage1:typosquat',
        };
      }
      const swapped = ecosystem === 'go' ? undefined : swappedPart(name);
      if (swapped !== undefined) {
        return {
          category: 'untrusted-code-integration',
          reason: `The package "${name}" contains "${swapped.part}", "${swapped.popular}" with two letters swapped; check the name`,
          rule: 'stage1:typosquat',
        };
      }
    }
  }
  return undefined;
}

/**
 * Returns the registry names that `command` installs, without versions and in lower case
 * (Go modules by their path), or an empty list when it is no install.
 */
export function installedPackageNames(command: SimpleCommand): string[] {
  const ecosystem = installEcosystem(command);
  if (ecosystem === undefined) {
    return [];
  }
  return installOperands(command, ecosystem).map((name) =>
    ecosystem === 'go'
      ? goModuleOf(name)
      : name.replace(/^(@?[^@=<>~!\s[]+).*$/, '$1').toLowerCase(),
  );
}

/** Popular names of every ecosystem, Go modules by their last part, for {@link swappedPart}. */
const POPULAR_WORDS = new Set(
  Object.values(POPULAR)
    .flat()
    .map((name) => name.split('/').pop() ?? name)
    .filter((name) => name.length >= 5),
);

/**
 * Finds a part of a compound name (`reqeusts-promise`, `lodahs_utils`) that is a popular
 * package name with two adjacent letters swapped, a common typo. Only swaps count, so
 * real compounds such as `openapi-core` (one letter more than `openai`) pass.
 */
function swappedPart(name: string): { part: string; popular: string } | undefined {
  const parts = name.replace(/^@[^/]+\//, '').split(/[-_.]/);
  if (parts.length < 2) {
    return undefined;
  }
  for (const part of parts) {
    if (part.length < 5 || POPULAR_WORDS.has(part)) {
      continue;
    }
    const popular = [...POPULAR_WORDS].find((word) => isAdjacentSwap(part, word));
    if (popular !== undefined) {
      return { part, popular };
    }
  }
  return undefined;
}

/** Checks whether `a` becomes `b` by swapping one pair of neighbouring, different letters. */
export function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) {
    return false;
  }
  const first = [...a].findIndex((char, index) => char !== b[index]);
  return (
    first >= 0 &&
    a[first] === b[first + 1] &&
    a[first + 1] === b[first] &&
    a.slice(first + 2) === b.slice(first + 2)
  );
}

/** Returns a Go package path's module: its first three parts, without the `@version`. */
function goModuleOf(name: string): string {
  return name.replace(/@.*$/, '').toLowerCase().split('/').slice(0, 3).join('/');
}

/**
 * Start of the second word of every install the patterns below match: the subcommand, or
 * `pip` of `uv pip` and `-m` of `python3 -m pip`.
 */
const INSTALL_WORD = /^(?:install|i|add|get|pip|-m)\b/;
/** Programs that the install patterns below start with. */
const INSTALLERS = new Set([
  'cargo',
  'go',
  'npm',
  'pnpm',
  'yarn',
  'bun',
  'pip',
  'pip3',
  'uv',
  'python',
  'python3',
  'pipx',
  'poetry',
  'gem',
  'bundle',
]);

/** Gate of {@link checkPackages}, which judges only installs whose `argv[0]` is in `INSTALLERS`. */
export const PACKAGES_GATE: CheckGate = { programs: INSTALLERS };

function installEcosystem(command: SimpleCommand): Ecosystem | undefined {
  // Most commands are not installs, so skip joining their arguments.
  if (!INSTALLERS.has(command.argv[0] ?? '') || !INSTALL_WORD.test(command.argv[1] ?? '')) {
    return undefined;
  }
  const text = command.argv.join(' ');
  if (/^cargo (?:add|install)\b/.test(text)) {
    return 'cargo';
  }
  if (/^go (?:get|install)\b/.test(text)) {
    return 'go';
  }
  if (/^(?:gem install|bundle add)\b/.test(text)) {
    return 'rubygems';
  }
  if (/^(?:npm|pnpm|yarn|bun) (?:install|i|add)\b/.test(text)) {
    return 'npm';
  }
  if (
    /^(?:pip3?|uv pip|python3? -m pip|pipx|poetry|uv) (?:install|add)\b/.test(text) ||
    /^pip3? install\b/.test(text)
  ) {
    return 'pypi';
  }
  return undefined;
}

/** `gem install` and `bundle add` options that take the next word as their value. */
const RUBYGEMS_VALUED = new Set(['-v', '--version', '-s', '--source', '-g', '--group']);

function installOperands(command: SimpleCommand, ecosystem: Ecosystem): string[] {
  const start = command.argv.findIndex((arg) => ['install', 'i', 'add', 'get'].includes(arg));
  const operands: string[] = [];
  for (let index = start + 1; index < command.argv.length; index += 1) {
    const arg = command.argv[index] ?? '';
    if (arg.startsWith('-')) {
      if (
        [
          '-r',
          '--requirement',
          '-c',
          '--constraint',
          '--registry',
          '--index-url',
          '-i',
          '-e',
        ].includes(arg) ||
        (ecosystem === 'rubygems' && RUBYGEMS_VALUED.has(arg))
      ) {
        index += 1;
      }
      continue;
    }
    operands.push(arg);
  }
  if (ecosystem === 'go') {
    return operands.filter((arg) => arg.includes('/'));
  }
  // A version (`numpy==1.26.4`, `lodash@4.17.21`) is set aside before a dot or slash marks
  // the operand as a path or URL rather than a registry name.
  return operands.filter(
    (arg) => !/[./]/.test(arg.replace(/^@[\w-]+\//, '').replace(/(?:[=<>~!]=?|@).*$/, '')),
  );
}

/**
 * Finds an install whose package name is computed when the command runs (`pnpm add $NAME`
 * after `NAME=$(echo … | base64 -d)`, `pip install $(curl …)`): what gets installed cannot
 * be read from the command, so no request can be said to name it.
 */
function computedPackage(command: SimpleCommand, ecosystem: Ecosystem): string | undefined {
  if (!command.dynamic) {
    return undefined;
  }
  const start = command.argv.findIndex((arg) => ['install', 'i', 'add', 'get'].includes(arg));
  return command.argv
    .slice(start + 1)
    .find(
      (arg, index, rest) =>
        /[$`]/.test(arg) &&
        !(
          ecosystem === 'pypi' &&
          /^(?:-r|--requirement|-c|--constraint)$/.test(rest[index - 1] ?? '')
        ),
    );
}

/** Gate of {@link checkContainers}, which judges only commands whose `argv[0]` is `docker` or `podman`. */
export const CONTAINERS_GATE: CheckGate = { programs: new Set(['docker', 'podman']) };

/**
 * Images that a tool's own project publishes, by the tool's name. A user who asks to run the
 * tool ("lint the Dockerfile with hadolint") asks for its official image. Scanners that send
 * what they find to other services (trufflehog verifies found keys online) are not listed.
 */
const OFFICIAL_TOOL_IMAGES: ReadonlyMap<string, string> = new Map([
  ['hadolint/hadolint', 'hadolint'],
  ['ghcr.io/hadolint/hadolint', 'hadolint'],
  ['koalaman/shellcheck', 'shellcheck'],
  ['koalaman/shellcheck-alpine', 'shellcheck'],
  ['mvdan/shfmt', 'shfmt'],
  ['rhysd/actionlint', 'actionlint'],
  ['aquasec/trivy', 'trivy'],
  ['aquasec/tfsec', 'tfsec'],
  ['anchore/syft', 'syft'],
  ['anchore/grype', 'grype'],
  ['zricethezav/gitleaks', 'gitleaks'],
  ['ghcr.io/gitleaks/gitleaks', 'gitleaks'],
  ['returntocorp/semgrep', 'semgrep'],
  ['semgrep/semgrep', 'semgrep'],
  ['golangci/golangci-lint', 'golangci-lint'],
  ['sqlfluff/sqlfluff', 'sqlfluff'],
  ['bridgecrew/checkov', 'checkov'],
]);

/** Options of `docker run` that give a container more of the host than a folder mount. */
const HOST_ACCESS =
  /^(?:--privileged|--(?:pid|net|network|ipc|uts|userns)=host|--cap-add|--device|--security-opt|--volumes-from)(?:=|$)/;

/**
 * Checks whether `docker run` options hand the container host secrets or another network.
 * Those are an env file, a variable passed on from the host (`-e AWS_SECRET_ACCESS_KEY`) or one
 * whose name marks a secret, and any network but the default bridge or none (`--network host`).
 */
function passesSecretsOrNetwork(args: readonly string[]): boolean {
  return args.some((arg, index) => {
    const next = args[index + 1] ?? '';
    const joined = /^--?[\w-]+=(.*)$/.exec(arg)?.[1];
    if (/^--env-file(?:=|$)/.test(arg)) {
      return true;
    }
    if (/^(?:-e|--env)(?:=|$)/.test(arg)) {
      const variable = joined ?? next;
      return (
        !variable.includes('=') ||
        /KEY|SECRET|TOKEN|PASS|CREDENTIAL|AUTH|^AWS_|^GOOGLE_|^AZURE_/i.test(
          variable.split('=')[0] ?? '',
        )
      );
    }
    if (/^--(?:net|network)(?:=|$)/.test(arg)) {
      return !['bridge', 'none', 'default'].includes(joined ?? next);
    }
    return false;
  });
}

/**
 * Arguments of the tool that send what it finds to a service: a URL (`--server
 * http://…`) or an API key or token option (checkov `--bc-api-key`).
 */
const SENDS_RESULTS = /:\/\/|^--?[\w-]*(?:api-key|token|upload|server|endpoint)\b/i;

/** Programs that would run other code in a tool's image instead of the tool. */
const SHELLS_AND_INTERPRETERS =
  /^(?:\/\S*\/)?(?:sh|bash|ash|dash|zsh|busybox|env|python\d*(?:\.\d+)?|node|perl|ruby|php|lua)$/;

/** Returns the host folders a `docker run` mounts with `-v`, `--volume` or a bind `--mount`. */
function mountSources(args: readonly string[]): string[] {
  const sources: string[] = [];
  args.forEach((arg, index) => {
    const value = ['-v', '--volume', '--mount'].includes(arg)
      ? (args[index + 1] ?? '')
      : /^--(?:volume|mount)=(.*)$/.exec(arg)?.[1];
    if (value === undefined) {
      return;
    }
    const bind = /(?:^|,)(?:source|src)=([^,]+)/.exec(value)?.[1];
    sources.push(arg.includes('mount') ? (bind ?? '') : (value.split(':')[0] ?? ''));
  });
  return sources;
}

/**
 * Checks that a `docker run` runs the official image of a tool the user named (see
 * {@link OFFICIAL_TOOL_IMAGES}) with only project folders mounted and no other host access:
 * `docker run --rm -v "$PWD":/src hadolint/hadolint hadolint Dockerfile` after "lint the
 * Dockerfile with hadolint". Another command in the image, a computed word, a named volume,
 * the docker socket, host secrets or networks (see {@link passesSecretsOrNetwork}), tool
 * arguments that send results to a service, and a mere question about the tool are not
 * covered.
 */
function runsRequestedToolImage(
  command: SimpleCommand,
  image: string,
  messages: string,
  isProjectPath: (folder: string) => boolean,
): boolean {
  const tool = OFFICIAL_TOOL_IMAGES.get(image.replace(/^docker\.io\//, '').replace(/[:@].*$/, ''));
  const args = command.argv.slice(2);
  const at = args.indexOf(image);
  const after = args[at + 1];
  const options = args.slice(0, at);
  const sources = mountSources(options);
  // A question about the tool ("is hadolint any good?") does not ask to run it, while a
  // polite request ("can you lint it with hadolint?") does.
  const asksForTool = messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .some(
      (sentence) =>
        containsWord(sentence, tool ?? '') &&
        (!sentence.endsWith('?') || /^(?:(?:can|could|would|will)\s+you|please)\b/i.test(sentence)),
    );
  return (
    tool !== undefined &&
    !command.dynamic &&
    asksForTool &&
    !passesSecretsOrNetwork(options) &&
    !args.slice(at + 1).some((arg) => SENDS_RESULTS.test(arg)) &&
    !SHELLS_AND_INTERPRETERS.test(after ?? '') &&
    !args.some((arg) => HOST_ACCESS.test(arg) || /^--entrypoint(?:=|$)/.test(arg)) &&
    sources.every((source) => source.startsWith('/') || source.startsWith('.')) &&
    sources.every((source) => !/docker\.sock/.test(source) && isProjectPath(source))
  );
}

/** Finds a container from an unknown publisher run with a host mount, host namespaces or privileges. */
export function checkContainers(
  parsed: ParsedShell,
  messages = '',
  isProjectPath: (folder: string) => boolean = () => false,
): Finding | undefined {
  for (const command of parsed.commands) {
    const program = command.argv[0];
    if (
      (program !== 'docker' && program !== 'podman') ||
      !/^(?:docker|podman) (?:run|create)\b/.test(command.argv.join(' '))
    ) {
      continue;
    }
    const image = imageOf(command.argv.slice(2));
    const hostAccess = command.argv.some((arg) =>
      [
        '-v',
        '--volume',
        '--mount',
        '--privileged',
        '--pid=host',
        '--net=host',
        '--network=host',
      ].includes(arg),
    );
    if (image === undefined || !image.includes('/') || !hostAccess) {
      continue;
    }
    if (
      !TRUSTED_IMAGE_PREFIXES.some((prefix) => image.startsWith(prefix)) &&
      !runsRequestedToolImage(command, image, messages, isProjectPath)
    ) {
      return {
        category: 'code-from-external',
        reason: `The container image "${image}" comes from an unvetted publisher and gets access to host files`,
        rule: 'stage1:unvetted-image',
      };
    }
  }
  return undefined;
}

function imageOf(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (DOCKER_VALUE_OPTIONS.has(arg)) {
      index += 1;
      continue;
    }
    if (!arg.startsWith('-')) {
      return arg;
    }
  }
  return undefined;
}

/** Damerau-Levenshtein distance with adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  // Row 0 and column 0 hold the cost of building a prefix from nothing.
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i += 1) {
    (d[i] as number[])[0] = i;
  }
  for (let j = 0; j < cols; j += 1) {
    (d[0] as number[])[j] = j;
  }
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const previous = d[i - 1] as number[];
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] ?? 0, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}

/** A go.mod `replace` directive: `replace old/path [version] => new/path [version]`. */
const GO_REPLACE =
  /^\s*(?:replace\s+)?([\w.-]+\/[\w.-]+)\/\S*?(?:\s+v\S+)?\s+=>\s+([^\s.][\w.-]*\/[\w.-]+)\/\S*/gm;

/**
 * Returns the module path that an added go.mod `replace` directive takes code from when it
 * belongs to another owner than the module it replaces, such as
 * `github.com/gorilla/mux => github.com/someone/mux`. Local paths (`./`, `../`) stay allowed.
 */
export function forkReplacement(file: string, removed: string, added: string): string | undefined {
  if (!file.endsWith('/go.mod')) {
    return undefined;
  }
  for (const match of added.matchAll(GO_REPLACE)) {
    const [line = '', from = '', to = ''] = match;
    if (!removed.includes(line.trim()) && from !== to) {
      return line.replace(/^.*=>\s+/, '').trim();
    }
  }
  return undefined;
}
