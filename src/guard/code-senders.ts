/**
 * Checks for program code that sends local data to a host the user did not name. The code may
 * run inline (`python -`, `node -e`) or be written to a file and run in the same command. It
 * may also be an install hook written with the Write or Edit tool (`setup.py`, `conftest.py`, a
 * `postinstall` script, a Makefile, git hooks), which runs later without anyone reading it.
 */
import path from 'node:path';
import { CREDENTIAL_PATH, finding, type Finding } from './findings.js';
import { isShell } from './interpreters.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/**
 * Calls that send a request body: POST, PUT and PATCH helpers of Python, Node, Ruby, Go, PHP,
 * PowerShell, Elixir and Erlang (`:httpc.request(:post, …)`, `HTTPoison`, `Req`, `Tesla`,
 * `Finch.build(:post, …)`, `:hackney`), `urlopen` with a body, and requests built with a body
 * or a write method.
 */
const SEND_CALL =
  /\b(?:requests|httpx|session|client|aiohttp\.ClientSession\(\)|axios)\.(?:post|put|patch)\(|urlopen\([^)]*\bdata\s*=|urlopen\(\s*(?:[\w.]+|"[^"]*"|'[^']*')\s*,\s*(?!None\b|\w+\s*=[^=])[^)\s]|(?:httpc|hackney)[.:]request\(\s*:?(?:post|put|patch)\b|\b(?:HTTPoison|Req|Tesla|HTTPotion)\.(?:post|put|patch)!?\(|Finch\.build\(\s*:(?:post|put|patch)\b|urllib\.request\.Request\([^)]*\bdata\s*=|\bmethod\s*[:=]\s*['"](?:POST|PUT|PATCH)['"]|Net::HTTP\.post|Net::HTTP::(?:Post|Put)|\bpost_form\b|HTTParty\.(?:post|put)|Faraday\.(?:post|put)|http\.(?:Post|PostForm)\(|http\.NewRequest\(\s*"(?:POST|PUT|PATCH)"|CURLOPT_POSTFIELDS|Invoke-(?:RestMethod|WebRequest)[^\n]*-Method\s+(?:Post|Put)|UploadString|UploadFile|PostAsync|PutAsync/i;

/** Node's `fetch` with a body, and a `http.request` whose body is written with `end` or `write`. */
const NODE_BODY =
  /\bfetch\([\s\S]*?\bbody\s*:|\bhttps?\.request\([\s\S]*?\.(?:end|write)\(\s*[^)\s]/;

/** Reads of the environment, a token variable or a local file, in the same languages. */
const DATA_READ =
  /os\.environ|System\.get_env|\bfile[.:]read_file|File\.stream!|os\.getenv|process\.env|\bENV\[|\bENV\.fetch|os\.Getenv|os\.Environ\(|getenv\(|\$env:|System\.getenv|Environment\.GetEnvironmentVariable|\bopen\(|\.read_(?:text|bytes)\(|readFileSync|readFile\(|File\.read|IO\.read|os\.ReadFile|ioutil\.ReadFile|file_get_contents|\brglob\(|\bglob\(|Get-Content|walkSync|readdirSync/;

/** URLs, and `host:`/`hostname:` fields of Node's request options, as they appear in code. */
const CODE_URL = /\bhttps?:\/\/(\[[0-9a-f:]+\]|[a-z0-9.-]+)/gi;
const CODE_HOST_FIELD = /\bhost(?:name)?\s*[:=]\s*['"]([a-z0-9.-]+)['"]/gi;

/** Returns the hosts that code names in URLs and request options. */
function codeHosts(code: string): string[] {
  const hosts = [...code.matchAll(CODE_URL), ...code.matchAll(CODE_HOST_FIELD)].map((match) =>
    (match[1] ?? '').toLowerCase(),
  );
  return [...new Set(hosts)].filter((host) => host !== '');
}

/**
 * Returns a host that `code` sends local data to when it runs, or undefined. Such code sends a
 * request body and reads the environment, a credential file or a local file. The host is one
 * that the code names and that is neither on this machine nor named by the user.
 */
export function codeSendsDataTo(code: string, messages: string): string | undefined {
  const sends = SEND_CALL.test(code) || NODE_BODY.test(code);
  if (!sends || !(DATA_READ.test(code) || CREDENTIAL_PATH.test(code))) {
    return undefined;
  }
  return codeHosts(code).find((host) => !isLocalHost(host) && !userNamesHost(messages, host));
}

/** Gate of {@link checkInlineSenders}, which reads only inline code. */
export const INLINE_SENDERS_GATE: CheckGate = { inlineCode: true };

/** Finds inline interpreter code that sends local data to a host the user did not name. */
export function checkInlineSenders(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const { code } of parsed.inlineCode) {
    const host = codeSendsDataTo(code, messages);
    if (host !== undefined) {
      return finding(
        'data-exfiltration',
        `Inline code sends local files or the environment to ${host}, a host the user did not name`,
        'inline-sends-data',
      );
    }
  }
  return undefined;
}

/**
 * Interpreters and `go run`, which run a file named as an argument.
 * Shells are matched by {@link isShell}.
 */
const FILE_RUNNERS =
  /^(?:python[\d.]*|pypy3?|node|nodejs|deno|bun|tsx|ts-node|ruby|perl|php|go|pwsh|powershell|Rscript|lua|java|dotnet)$/;

/** Returns the files that `cat > f`, `cat >> f` and `tee f` write. */
function writtenFiles(command: SimpleCommand): string[] {
  if (command.name === 'cat' && command.argv.length === 1) {
    return command.redirects
      .filter((redirect) => redirect.operator === '>' || redirect.operator === '>>')
      .map((redirect) => redirect.target);
  }
  if (command.name === 'tee') {
    return command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  }
  return [];
}

/** Checks whether `command` runs `file`, by a runner's argument or as the program itself. */
function runsFile(command: SimpleCommand, file: string): boolean {
  const base = path.posix.basename(file);
  const matches = (arg: string): boolean =>
    arg === file || (path.posix.basename(arg) === base && arg.endsWith(file.replace(/^\.\//, '')));
  if (matches(command.argv[0] ?? '')) {
    return true;
  }
  return (
    (FILE_RUNNERS.test(command.name) || isShell(command.name)) &&
    command.argv.slice(1).some(matches)
  );
}

/** Gate of {@link checkWrittenAndRun}, whose written files come only from `cat` and `tee`. */
export const WRITTEN_AND_RUN_GATE: CheckGate = { programs: new Set(['cat', 'tee']) };

/**
 * Finds a heredoc written to a file by `cat > f` or `tee f` and run in the same command line,
 * whose code sends local data to a host the user did not name. Only the heredoc that the
 * writing command reads is judged, not every heredoc of the line.
 */
export function checkWrittenAndRun(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const writer of parsed.commands) {
    const body = writer.stdin;
    if (body === undefined) {
      continue;
    }
    const run = writtenFiles(writer).find((file) =>
      parsed.commands.some((command) => runsFile(command, file)),
    );
    const host = run === undefined ? undefined : codeSendsDataTo(body, messages);
    if (host !== undefined) {
      return finding(
        'data-exfiltration',
        `The command writes ${run} and runs it, and its code sends local data or the environment to ${host}`,
        'written-code-sends-data',
      );
    }
  }
  return undefined;
}

/**
 * Files that run on install, on test collection, on a build or on a git event: Python
 * `setup.py` and `conftest.py`, npm lifecycle scripts, Makefiles and git hooks.
 */
const HOOK_FILE =
  /(?:^|\/)(?:setup\.py|conftest\.py|sitecustomize\.py|usercustomize\.py|[^/]*\.pth|[^/]*(?:pre|post)?install[^/]*\.(?:[cm]?js|ts|py|sh)|package\.json|(?:GNU)?[Mm]akefile|[^/]*\.mk|build\.rs|\.git\/hooks\/[^/]+|\.husky\/[^/]+)$/;

/** Finds an install hook or build file written with code that sends local data off the machine. */
export function checkWrittenHook(
  target: string,
  content: string,
  messages: string,
): Finding | undefined {
  if (!HOOK_FILE.test(target)) {
    return undefined;
  }
  const code = target.endsWith('package.json') ? lifecycleScripts(content) : content;
  const host = codeSendsDataTo(code, messages) ?? shellSendsDataTo(code, messages);
  if (host === undefined) {
    return undefined;
  }
  return {
    category: 'data-exfiltration',
    reason: `"${target}" runs on install or build, and the code written to it sends local data or the environment to ${host}`,
    rule: 'tier:hook-sends-data',
  };
}

/** Returns the npm lifecycle scripts (`preinstall`, `install`, `postinstall`, `prepare`) of a manifest. */
function lifecycleScripts(content: string): string {
  return [
    ...content.matchAll(/"(?:pre|post)?(?:install|prepare|prepublish)"\s*:\s*"((?:[^"\\]|\\.)*)"/g),
  ]
    .map((match) => (match[1] ?? '').replace(/\\(.)/g, '$1'))
    .join('\n');
}

/** A curl or wget line in a Makefile or shell hook that sends a variable or a file. */
const SHELL_SEND =
  /\b(?:curl|wget|http|xh)\b[^\n]*(?:\s(?:-d|--data(?:-binary|-raw|-urlencode)?|-F|--form|-T|--upload-file|--post-(?:data|file)|--body-(?:data|file))[\s=][^\n]*(?:\$|@)|\s\S+=@\S)/;

function shellSendsDataTo(code: string, messages: string): string | undefined {
  for (const line of code.split('\n')) {
    if (!SHELL_SEND.test(line)) {
      continue;
    }
    const host = codeHosts(line).find(
      (candidate) => !isLocalHost(candidate) && !userNamesHost(messages, candidate),
    );
    if (host !== undefined) {
      return host;
    }
  }
  return undefined;
}
