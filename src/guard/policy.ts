/**
 * Permission rules in Claude Code's syntax (`Bash(npm run test *)`, `Read(./secrets/**)`,
 * `WebFetch(domain:example.com)`, `mcp__server__tool`) and their evaluation. Deny beats ask,
 * ask beats allow. A Bash call is allowed by a rule only if every simple command in it is.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';
import { expandHome, isInside, resolvePath } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext, ToolCall, Verdict } from './types.js';
import { parseUrl } from './uploads.js';

/** One parsed rule. */
export interface PolicyRule {
  verdict: Verdict;
  tool: string;
  /** Text inside the parentheses, or undefined for a bare tool name. */
  specifier?: string;
  /** The rule as written, for decisions and error messages. */
  source: string;
}

/** A loaded policy. */
export interface Policy {
  rules: PolicyRule[];
  /**
   * Absolute paths of the policy files the rules were read from. The guard denies writes to
   * them, so an agent cannot rewrite its own rules. @default none
   */
  files?: readonly string[];
}

/** Rule lists as written in a policy file or a Claude Code `permissions` block. */
export interface PolicyInput {
  allow?: readonly string[];
  ask?: readonly string[];
  deny?: readonly string[];
}

/** The rule that decided a call. */
export interface PolicyMatch {
  verdict: Verdict;
  rule: PolicyRule;
}

const FILE_TOOLS = new Set(['Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'Glob', 'Grep']);
const RULE_PATTERN = /^([A-Za-z][A-Za-z0-9_-]*)(?:\((.*)\))?$/s;

const ruleListsSchema = z.looseObject({
  allow: z.array(z.string()).optional(),
  ask: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});

/**
 * Parses one rule string.
 *
 * @throws SandstackError `POLICY_INVALID` when the rule is malformed; the message quotes it.
 */
export function parseRule(source: string, verdict: Verdict): PolicyRule {
  const trimmed = source.trim();
  const match = RULE_PATTERN.exec(trimmed);
  if (match === null) {
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${verdict} rule "${source}"; write Tool or Tool(specifier), such as Bash(npm test *)`,
    );
  }
  const tool = match[1] ?? '';
  const specifier = match[2];
  if (specifier !== undefined && specifier.trim() === '') {
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${verdict} rule "${source}": empty parentheses; write "${tool}" to match every call`,
    );
  }
  if (tool === 'WebFetch' && specifier !== undefined && !specifier.startsWith('domain:')) {
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${verdict} rule "${source}"; WebFetch rules take a domain, such as WebFetch(domain:example.com)`,
    );
  }
  if (specifier !== undefined && specifier.includes(':*') && !specifier.endsWith(':*')) {
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${verdict} rule "${source}": ":*" is only valid at the end; use "*" for a wildcard in the middle`,
    );
  }
  return specifier === undefined
    ? { verdict, tool, source: trimmed }
    : { verdict, tool, specifier, source: trimmed };
}

/**
 * Builds a policy from rule lists.
 *
 * @throws SandstackError `POLICY_INVALID` naming the first bad rule.
 */
export function createPolicy(input: PolicyInput): Policy {
  const rules: PolicyRule[] = [];
  for (const verdict of ['deny', 'ask', 'allow'] as const) {
    for (const source of input[verdict] ?? []) {
      rules.push(parseRule(source, verdict));
    }
  }
  return { rules };
}

/**
 * Parses a policy document: YAML or JSON with `allow`/`ask`/`deny` lists at the top or under
 * `permissions`, so a Claude Code settings.json can be used as is.
 *
 * @throws SandstackError `POLICY_INVALID` when the text is not valid or a rule is malformed.
 */
export function parsePolicy(text: string, origin = 'policy'): Policy {
  let document: unknown;
  try {
    document = YAML.parse(text);
  } catch (error) {
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${origin}: not valid YAML or JSON; fix the syntax`,
      {
        cause: error,
      },
    );
  }
  const root = (document ?? {}) as Record<string, unknown>;
  const hasBlock = typeof root === 'object' && 'permissions' in root;
  const parsed = ruleListsSchema.safeParse(hasBlock ? root['permissions'] : root);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = [...(hasBlock ? ['permissions'] : []), ...(issue?.path.map(String) ?? [])].join(
      '.',
    );
    throw new SandstackError(
      'POLICY_INVALID',
      `Invalid ${origin} at "${where}": ${issue?.message ?? 'unknown shape'}; rule lists must be arrays of strings`,
    );
  }
  return createPolicy(parsed.data);
}

/**
 * Reads and parses a policy file.
 *
 * @throws SandstackError `FILE_NOT_FOUND` when the file cannot be read, `POLICY_INVALID` when it is malformed.
 */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Policy file "${file}" could not be read; check the path`,
      {
        cause: error,
      },
    );
  }
  return { ...parsePolicy(text, `policy file "${file}"`), files: [path.resolve(file)] };
}

/**
 * Evaluates `call` against `policy`. For Bash, `shell` must hold the parsed command: a deny or
 * ask rule matches when any simple command matches it, and an allow rule applies only when
 * every simple command matches some allow rule and the parse was confident.
 */
export function evaluatePolicy(
  policy: Policy,
  call: ToolCall,
  context: GuardContext,
  shell?: ParsedShell,
): PolicyMatch | undefined {
  for (const verdict of ['deny', 'ask'] as const) {
    const rule = policy.rules.find(
      (candidate) => candidate.verdict === verdict && matchesAny(candidate, call, context, shell),
    );
    if (rule !== undefined) {
      return { verdict, rule };
    }
  }
  const allowRules = policy.rules.filter(
    (rule) => rule.verdict === 'allow' && rule.tool === call.tool,
  );
  if (allowRules.length === 0) {
    return undefined;
  }
  if (call.tool === 'Bash') {
    return allowBash(allowRules, shell);
  }
  const rule = allowRules.find((candidate) => matchesCall(candidate, call, context));
  return rule === undefined ? undefined : { verdict: 'allow', rule };
}

function allowBash(rules: PolicyRule[], shell: ParsedShell | undefined): PolicyMatch | undefined {
  if (shell === undefined || !shell.confident || shell.commands.length === 0) {
    return undefined;
  }
  let last: PolicyRule | undefined;
  for (const command of shell.commands) {
    last = rules.find((rule) => matchesCommand(rule, command));
    if (last === undefined) {
      return undefined;
    }
  }
  return last === undefined ? undefined : { verdict: 'allow', rule: last };
}

function matchesAny(
  rule: PolicyRule,
  call: ToolCall,
  context: GuardContext,
  shell?: ParsedShell,
): boolean {
  if (rule.tool !== call.tool && !isMcpMatch(rule, call.tool)) {
    return false;
  }
  if (call.tool === 'Bash' && rule.specifier !== undefined) {
    const whole = typeof call.input['command'] === 'string' ? call.input['command'] : '';
    const matches = bashMatcher(rule.specifier);
    const texts =
      shell === undefined || !mayStartAny(rule.specifier, shell) ? [] : shellTexts(shell);
    return texts.some(matches) || matches(whole);
  }
  return matchesCall(rule, call, context);
}

function matchesCall(rule: PolicyRule, call: ToolCall, context: GuardContext): boolean {
  if (isMcpMatch(rule, call.tool)) {
    return true;
  }
  if (rule.tool !== call.tool) {
    return false;
  }
  if (rule.specifier === undefined) {
    return true;
  }
  if (call.tool === 'WebFetch') {
    return domainMatches(rule.specifier.slice('domain:'.length), call.input['url']);
  }
  if (FILE_TOOLS.has(call.tool)) {
    const target = filePathOf(call);
    return (
      target !== undefined &&
      pathPatternMatches(rule.specifier, resolvePath(target, pathContext(context)), context)
    );
  }
  return false;
}

/** `mcp__server` and `mcp__server__*` match every tool of that server. */
function isMcpMatch(rule: PolicyRule, tool: string): boolean {
  if (!rule.tool.startsWith('mcp__') || rule.specifier !== undefined) {
    return false;
  }
  if (rule.tool === tool) {
    return true;
  }
  const server = rule.tool.endsWith('__*') ? rule.tool.slice(0, -3) : rule.tool;
  return server.split('__').length === 2 && tool.startsWith(`${server}__`);
}

function matchesCommand(rule: PolicyRule, command: SimpleCommand): boolean {
  if (rule.tool !== 'Bash') {
    return false;
  }
  if (rule.specifier === undefined) {
    return true;
  }
  const [unwrapped, wrapped] = ruleTexts(command);
  return (
    bashPatternMatches(rule.specifier, unwrapped) || bashPatternMatches(rule.specifier, wrapped)
  );
}

/** Texts that Bash rules match, per simple command, kept because every rule of a policy reads them. */
const ruleTextsOf = new WeakMap<SimpleCommand, readonly [string, string]>();

/** Texts that Bash rules match, for every simple command of a parsed command line. */
const shellTextsOf = new WeakMap<ParsedShell, readonly string[]>();

/**
 * Returns the distinct {@link ruleTexts} of every simple command of `shell`, in one list.
 * Callers only ask whether some text matches, and agents chain the same command many times,
 * so each distinct text is kept once.
 */
function shellTexts(shell: ParsedShell): readonly string[] {
  let texts = shellTextsOf.get(shell);
  if (texts === undefined) {
    const distinct = new Set<string>();
    for (const command of shell.commands) {
      const unwrapped = command.argv.join(' ');
      distinct.add(unwrapped);
      if (command.wrappers.length > 0) {
        distinct.add([...command.wrappers, unwrapped].join(' '));
      }
    }
    texts = [...distinct];
    shellTextsOf.set(shell, texts);
  }
  return texts;
}

/** First literal word of each Bash specifier, or '' when it must always be tested. */
const leadingWords = new Map<string, string>();

/**
 * Returns the first word of a specifier's literal start, such as `git` for `git push -f *`.
 * Returns '' for a single-word start or a legacy `:*` prefix, which may match inside a longer
 * first word.
 */
function leadingWord(specifier: string): string {
  if (specifier.endsWith(':*')) {
    return '';
  }
  const literal = specifier.split('*', 1)[0] ?? '';
  const space = literal.indexOf(' ');
  return space <= 0 ? '' : literal.slice(0, space);
}

/**
 * Checks whether some text of `shell` can start with a Bash specifier's first word: the
 * program or outermost wrapper of some command is that word. A command line without `git`
 * skips every `git push` rule without testing each of its texts.
 */
function mayStartAny(specifier: string, shell: ParsedShell): boolean {
  const word = cached(leadingWords, specifier, leadingWord);
  return word === '' || leadingPrograms(shell).has(word);
}

/** First words of the texts of each parsed command line, kept because every rule reads them. */
const leadingProgramsOf = new WeakMap<ParsedShell, ReadonlySet<string>>();

/**
 * Returns the words that texts of `shell` can start with, so each rule needs one lookup: the
 * program and outermost wrapper of every command. A program word may itself hold a space
 * (`"my tool" x`), so the part before its first space counts too.
 */
function leadingPrograms(shell: ParsedShell): ReadonlySet<string> {
  let programs = leadingProgramsOf.get(shell);
  if (programs === undefined) {
    const words = new Set<string>();
    for (const command of shell.commands) {
      const program = command.argv[0] ?? '';
      words.add(program);
      const space = program.indexOf(' ');
      if (space >= 0) {
        words.add(program.slice(0, space));
      }
      if (command.wrappers[0] !== undefined) {
        words.add(command.wrappers[0]);
      }
    }
    programs = words;
    leadingProgramsOf.set(shell, programs);
  }
  return programs;
}

/** Returns a command's words without and with its wrappers, joined by spaces. */
function ruleTexts(command: SimpleCommand): readonly [string, string] {
  let texts = ruleTextsOf.get(command);
  if (texts === undefined) {
    const unwrapped = command.argv.join(' ');
    texts = [unwrapped, [...command.wrappers, unwrapped].join(' ')];
    ruleTextsOf.set(command, texts);
  }
  return texts;
}

/** Compiled Bash specifiers and path globs. A policy has few, and each decision uses them all. */
const bashPatterns = new Map<string, (command: string) => boolean>();
const globPatterns = new Map<string, RegExp>();
/** Entries each cache keeps before it starts over, so odd callers cannot grow it without end. */
const MAX_CACHED_PATTERNS = 1000;

/** Returns the value cached under `key`, computing and storing it on a miss. */
function cached<T>(cache: Map<string, T>, key: string, build: (key: string) => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED_PATTERNS) {
      cache.clear();
    }
    value = build(key);
    cache.set(key, value);
  }
  return value;
}

/** Matches Claude Code's Bash specifiers: `*` is any text, a trailing `:*` is a legacy prefix match. */
export function bashPatternMatches(specifier: string, command: string): boolean {
  return bashMatcher(specifier)(command);
}

/** Returns the compiled test of a Bash specifier, as {@link bashPatternMatches} applies it. */
function bashMatcher(specifier: string): (command: string) => boolean {
  return cached(bashPatterns, specifier, compileBashPattern);
}

function compileBashPattern(specifier: string): (command: string) => boolean {
  if (specifier.endsWith(':*')) {
    const prefix = specifier.slice(0, -2);
    return (command) =>
      command === prefix || command.startsWith(`${prefix} `) || command.startsWith(prefix);
  }
  // Every match starts with the text before the first `*`, less the space of an optional
  // ` *` tail, and checking that first is far cheaper than running the pattern.
  const literal = specifier.split('*', 1)[0] ?? '';
  const required = literal.endsWith(' ') ? literal.slice(0, -1) : literal;
  const regex = bashPatternToRegExp(specifier);
  return (command) => command.startsWith(required) && regex.test(command);
}

function bashPatternToRegExp(specifier: string): RegExp {
  const pattern = specifier
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  // `npm test *` also matches bare `npm test`, as in Claude Code.
  const withOptionalTail = pattern.endsWith(' .*') ? `${pattern.slice(0, -3)}(?: .*)?` : pattern;
  return new RegExp(`^${withOptionalTail}$`, 's');
}

function domainMatches(domain: string, url: unknown): boolean {
  if (typeof url !== 'string') {
    return false;
  }
  const host = parseUrl(url)?.host;
  if (host === undefined) {
    return false;
  }
  const expected = domain.toLowerCase();
  if (expected.startsWith('*.')) {
    return host.endsWith(expected.slice(1));
  }
  return host === expected;
}

/**
 * Matches a file specifier with gitignore-style anchors: `//abs` is absolute, `~/` is the
 * home directory, `/x` is relative to the project, and `./x` or `x` relative to the cwd.
 */
export function pathPatternMatches(
  specifier: string,
  target: string,
  context: GuardContext,
): boolean {
  const home = context.homeDir ?? '/root';
  let anchored: string;
  if (specifier.startsWith('//')) {
    anchored = specifier.slice(1);
  } else if (specifier.startsWith('~/') || specifier === '~') {
    anchored = expandHome(specifier, home);
  } else if (specifier.startsWith('/')) {
    anchored = `${context.projectDir.replace(/\/$/, '')}${specifier}`;
  } else if (specifier.includes('/') && !specifier.startsWith('**/')) {
    anchored = `${context.cwd.replace(/\/$/, '')}/${specifier.replace(/^\.\//, '')}`;
  } else {
    // A bare name such as `.env` or `*.pem` matches at any depth, as in .gitignore.
    anchored = `**/${specifier.replace(/^\*\*\//, '')}`;
  }
  const regex = cached(globPatterns, anchored, globToRegExp);
  if (regex.test(target)) {
    return true;
  }
  // A directory pattern also covers everything below it.
  return !anchored.includes('*') && isInside(target, anchored.replace(/\/$/, ''));
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] ?? '';
    if (char === '*' && glob[index + 1] === '*') {
      const slash = glob[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source.startsWith('(?:.*/)?') ? `/?${source}` : source}$`);
}

function filePathOf(call: ToolCall): string | undefined {
  const value = call.input['file_path'] ?? call.input['path'] ?? call.input['notebook_path'];
  return typeof value === 'string' ? value : undefined;
}

function pathContext(context: GuardContext): { cwd: string; homeDir: string } {
  return { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
}
