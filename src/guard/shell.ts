/**
 * Shell parsing for the guard: turns a bash command line into every simple command it
 * would run, using the tree-sitter bash grammar (WASM). Compound commands, substitutions,
 * `eval`, `bash -c`, heredocs fed to shells and wrappers such as `timeout` or `xargs` are
 * followed, so a dangerous command cannot hide inside an innocent one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { containerExec } from './container-execs.js';
import { expandedText, type ExpandedPart } from './expanded-text.js';
import { braceWordCount, MAX_BRACE_WORDS, MAX_TOTAL_BRACE_WORDS } from './globs.js';
import { computedInlineCommand, inlineCommandsOf } from './inline-commands.js';
import { inlineFileEffects } from './inline-effects.js';
import { INLINE_FLAGS, interpreterName, isShell, SHELL_CALL } from './interpreters.js';
import { shellSource } from './shell-invocations.js';
import { embeddedShellText } from './shell-operands.js';
import { shellTextsOf } from './shell-texts.js';
import { mayStoreCode, storedCodeTexts } from './stored-code.js';
import { maskCompoundNegations } from './negated-compounds.js';
import { recordNestedScript, type NestedLine } from './nested-lines.js';
import { schedulesInput } from './scheduled-commands.js';
import {
  callVariables,
  functionCall,
  functionDefinitions,
  functionCalls,
  type FunctionCall,
  type FunctionDefinitions,
} from './shell-functions.js';
import {
  constantVariables,
  defaultWords,
  unconditionalWords,
  splitVariableWords,
  wordValue,
  type ConstantVariable,
  type WordValue,
} from './shell-words.js';
import { runnerCall } from './project-runners.js';
import { printedText } from './printed-text.js';
import { systemProgramName } from './program-paths.js';
import { nestedRuns, quoteWord, xargsRunsInput } from './runners.js';
import { unwrapCommand } from './wrappers.js';
import { xargsCommandLine } from './xargs-input.js';

/** One redirection and its resolved target. */
export interface Redirect {
  /** Operator as written, such as `>`, `>>`, `&>`, `<` or `<>` (read-write). */
  operator: string;
  /** Target word after quote removal and `~`/`$HOME` expansion. */
  target: string;
}

/** Position of a simple command in a pipeline. */
export interface PipelinePosition {
  id: number;
  index: number;
  length: number;
}

/** One command the shell would execute, after wrappers are removed. */
export interface SimpleCommand {
  /** Arguments after quote removal; `argv[0]` is the program as written. */
  argv: string[];
  /** Base name of the program (`/usr/bin/git` becomes `git`). */
  name: string;
  /** Wrappers removed in front of the program, outermost first (`sudo`, `timeout`, `xargs`). */
  wrappers: string[];
  /** `NAME=value` assignments that prefix the command or come from `env`. */
  assignments: string[];
  redirects: Redirect[];
  /** True when an argument contains an expansion whose value the guard cannot know. */
  dynamic: boolean;
  /** Nesting path of the command: `$()`, `<()`, `bash`, `eval`, `heredoc` and similar. */
  via: string[];
  pipeline?: PipelinePosition;
  /** True when the command runs in the background (`&`). */
  background: boolean;
  /**
   * Source text of the command, with expansions of known words (`"$@"`, `"${a[@]}"`, `$cmd`)
   * written out as the words they give.
   */
  text: string;
  /** Text of the heredoc or here-string that is the command's standard input. */
  stdin?: string;
}

/** Code passed to an interpreter inline (`python -c`, `node -e`, a heredoc to `python -`). */
export interface InlineCode {
  interpreter: string;
  code: string;
}

/**
 * A variable that a `for` or `select` loop sets from its word list, or that `read` sets from
 * its standard input.
 */
export interface LoopVariable {
  name: string;
  /** Known words the variable takes, after quote removal and `~` expansion. */
  words: string[];
  /**
   * False when the variable may take words the guard cannot see: a word computed at run time,
   * a `for` with no `in` list (which loops over `"$@"`), or a `read` from a file or a pipe.
   */
  complete: boolean;
}

/** Everything the guard needs from one command line. */
export interface ParsedShell {
  commands: SimpleCommand[];
  inlineCode: InlineCode[];
  /** Bodies of every heredoc and here-string. */
  heredocs: string[];
  /** Variables set by `for`, `select` and `read`, in the order the parser met them. */
  loopVariables: LoopVariable[];
  /** False when any part could not be read with confidence; such commands are never auto-allowed. */
  confident: boolean;
  /** Reasons `confident` is false, one entry per problem. */
  problems: string[];
  /**
   * Text of request configs and transfer batch files that commands of the line read from
   * disk, by the path as the command names it; set only when the guard may read files (see
   * run-files.ts).
   */
  files?: Map<string, string>;
  /** Texts that a program of the line runs as a command line: see nested-lines.ts. */
  nestedScripts?: string[];
  /** {@link nestedScripts} parsed as lines of their own, set by the guard before stage 1. */
  nestedLines?: NestedLine[];
}

/** Options for {@link parseShell}. */
export interface ParseShellOptions {
  /** Home directory that `~` and `$HOME` expand to. @default '/root' */
  homeDir?: string;
  /** Working directory that `$PWD` expands to. @default '/' */
  cwd?: string;
  /** Maximum nesting of `bash -c`, `eval` and similar before parsing gives up. @default 6 */
  maxDepth?: number;
  /** Read plain commands without tree-sitter; tests turn it off to compare both. @default true */
  fastPath?: boolean;
}

interface WalkState {
  result: ParsedShell;
  homeDir: string;
  cwd: string;
  maxDepth: number;
  depth: number;
  nextPipelineId: number;
  /**
   * Ids of the nodes of the current tree that an `&` token follows. `Node.nextSibling` walks
   * down from the root, so asking it for each node of a long `a && b && …` list (a deep
   * tree) would cost time quadratic in the list's length.
   */
  ampAfter: Set<number>;
  /** True while walking a tree that has syntax errors or missing tokens. */
  treeHasError: boolean;
  /** Variables the current tree sets once to a literal value. */
  variables: ReadonlyMap<string, ConstantVariable> | undefined;
  /** Functions the current tree defines, whose bodies run again at each call. */
  functions: FunctionDefinitions | undefined;
  /** The call whose function body is being walked, if any. */
  functionCall: FunctionCall | undefined;
  /** Whether plain commands, top-level and nested, skip tree-sitter. */
  fastPath: boolean;
  /** True once any text parsed so far assigns `IFS`; it stays set for nested shells. */
  ifsAssigned: boolean;
  /** Aliases defined so far, by name, with the text each expands to. */
  aliases: Map<string, string> | undefined;
  /** Words that the brace lists of every recorded command expand to, summed. */
  braceWords: number;
}

let parserPromise: Promise<Parser> | undefined;

function newWalkState(options: ParseShellOptions): WalkState {
  return {
    result: {
      commands: [],
      inlineCode: [],
      heredocs: [],
      loopVariables: [],
      confident: true,
      problems: [],
    },
    homeDir: options.homeDir ?? '/root',
    cwd: options.cwd ?? '/',
    maxDepth: options.maxDepth ?? 6,
    depth: 0,
    nextPipelineId: 0,
    ampAfter: new Set(),
    treeHasError: false,
    variables: undefined,
    functions: undefined,
    functionCall: undefined,
    fastPath: options.fastPath ?? true,
    ifsAssigned: false,
    aliases: undefined,
    braceWords: 0,
  };
}

/** Loads the bash grammar once per process. */
function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/**
 * Parses `command` into every simple command it runs.
 *
 * @example
 * const parsed = await parseShell('cd src && bash -c "rm -rf ~"');
 * parsed.commands.map((c) => c.argv); // [['cd', 'src'], ['bash', '-c', 'rm -rf ~'], ['rm', '-rf', '/root']]
 */
export async function parseShell(
  command: string,
  options: ParseShellOptions = {},
): Promise<ParsedShell> {
  const parser = await loadParser();
  const state = newWalkState(options);
  parseInto(parser, command, state, []);
  return state.result;
}

/**
 * Parses `code` as inline code of `interpreter`, as if it were passed with `python -c` or
 * `node -e`: the shell commands it runs and the literal paths it deletes or writes become
 * commands of the result.
 */
export async function parseInlineCode(
  interpreter: string,
  code: string,
  options: ParseShellOptions = {},
): Promise<ParsedShell> {
  const parser = await loadParser();
  const state = newWalkState(options);
  addInlineCode(parser, state, newContext([]), interpreter, code);
  return state.result;
}

/** Program names the fast path accepts: no leading digit, which could start a redirect. */
const PROGRAM_NAME = /^[A-Za-z_./][A-Za-z0-9_./+-]*$/;
/** First words that the grammar reads as keywords or declarations, not as a program. */
const NOT_A_PROGRAM = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  'select',
  'time',
  'coproc',
  'in',
  'export',
  'declare',
  'local',
  'readonly',
  'typeset',
  'unset',
]);

/** A word of a plain command, which is never dynamic, and its offsets in the source. */
interface PlainWord extends WordValue {
  dynamic: false;
  start: number;
  end: number;
}

/**
 * Reads a command built only of plain words, quoted strings without expansions and the
 * operators `&&`, `||`, `|`, `;` and `&`, which covers most commands agents run, without
 * tree-sitter. The parse tree of such a command holds nothing else, so the result is the
 * same as the tree walk's (a test compares both on every fixture and on generated text).
 * Returns false, having recorded nothing, for anything else: `$`, backticks, backslashes
 * outside the escapes of double-quoted strings, redirects, globs with `[`, keywords,
 * comments, newlines, non-ASCII text or an empty command.
 */
function parsePlainCommand(
  parser: Parser,
  source: string,
  state: WalkState,
  via: string[],
): boolean {
  // Statements end at `;` or `&`; each is a list of pipelines joined by `&&` or `||`.
  const statements: { pipelines: PlainWord[][][]; background: boolean }[] = [];
  let pipelines: PlainWord[][][] = [];
  let stages: PlainWord[][] = [];
  let words: PlainWord[] = [];
  let index = 0;
  const endCommand = (): boolean => {
    if (words.length === 0) {
      return false;
    }
    stages.push(words);
    words = [];
    return true;
  };
  while (index < source.length) {
    const char = source[index] ?? '';
    if (char === ' ') {
      index += 1;
      continue;
    }
    if (char === '&' || char === '|' || char === ';') {
      const after = source[index + 1];
      if (after === char && char !== ';') {
        if (!endCommand()) {
          return false;
        }
        pipelines.push(stages);
        stages = [];
        index += 2;
      } else if (char === '|') {
        if (after === '&' || !endCommand()) {
          return false;
        }
        index += 1;
      } else {
        // `;;`, `;&` and `&;` end case items or are errors, and `&&` was read above.
        if (after === ';' || after === '&' || !endCommand()) {
          return false;
        }
        pipelines.push(stages);
        statements.push({ pipelines, background: char === '&' });
        pipelines = [];
        stages = [];
        index += 1;
      }
      continue;
    }
    const word = readPlainWord(source, index);
    if (word === undefined) {
      return false;
    }
    // The grammar reads some program names oddly (`a@ && b` is an error to it), so only
    // names of the usual characters take this path.
    if (words.length === 0 && (NOT_A_PROGRAM.has(word.text) || !PROGRAM_NAME.test(word.text))) {
      return false;
    }
    words.push(word);
    index = word.end;
  }
  if (endCommand()) {
    pipelines.push(stages);
    statements.push({ pipelines, background: false });
  } else if (stages.length > 0 || pipelines.length > 0 || statements.length === 0) {
    return false;
  }
  // As in the tree walk, commands of this text are one level deeper, and a nested shell
  // sees none of the outer text's variables.
  const outerVariables = state.variables;
  state.variables = undefined;
  state.depth += 1;
  for (const statement of statements) {
    for (const pipeline of statement.pipelines) {
      recordPlainPipeline(parser, source, state, pipeline, statement.background, via);
    }
  }
  state.depth -= 1;
  state.variables = outerVariables;
  return true;
}

/**
 * Flags for the characters a plain word may contain outside quotes, by character code:
 * `A-Z`, `a-z`, `0-9` and `_-./:=@+,*?`.
 */
const PLAIN_WORD_CHARS = (() => {
  const flags = new Uint8Array(128);
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./:=@+,*?';
  for (let index = 0; index < chars.length; index += 1) {
    flags[chars.charCodeAt(index)] = 1;
  }
  return flags;
})();

const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Returns whether `code` is `$`, backtick or `!`, which start expansions inside double quotes. */
function isExpansionChar(code: number): boolean {
  return code === 0x24 || code === 0x60 || code === 0x21;
}

/** Returns whether `code` is `$`, backtick, `"` or `\`, whose backslash bash drops inside double quotes. */
function isEscapedInDoubleQuotes(code: number): boolean {
  return code === 0x24 || code === 0x60 || code === DOUBLE_QUOTE || code === BACKSLASH;
}

/**
 * Reads one plain word starting at `start` and removes its quotes. A plain word is runs of
 * plain characters, single-quoted strings and double-quoted strings with nothing between.
 * A double-quoted string may contain no `$`, backtick or `!`, and no backslash except
 * before `$`, backtick, `"` or `\`, where bash drops the backslash. Returns undefined when
 * the text at `start` is not such a word followed by a space, `&`, `|`, `;` or the end.
 */
function readPlainWord(source: string, start: number): PlainWord | undefined {
  let text = '';
  // Start of the unquoted characters not yet appended to `text`.
  let pending = start;
  let index = start;
  while (index < source.length) {
    const code = source.charCodeAt(index);
    if (code < 128 && PLAIN_WORD_CHARS[code] === 1) {
      index += 1;
    } else if (code === SINGLE_QUOTE) {
      const close = source.indexOf("'", index + 1);
      if (close === -1) {
        return undefined;
      }
      text += source.slice(pending, index) + source.slice(index + 1, close);
      index = close + 1;
      pending = index;
    } else if (code === DOUBLE_QUOTE) {
      text += source.slice(pending, index);
      const close = readDoubleQuoted(source, index + 1);
      if (close === undefined) {
        return undefined;
      }
      text += close.text;
      index = close.end + 1;
      pending = index;
    } else {
      break;
    }
  }
  if (index === start) {
    return undefined;
  }
  const next = source[index];
  if (next !== undefined && next !== ' ' && next !== '&' && next !== '|' && next !== ';') {
    return undefined;
  }
  text += source.slice(pending, index);
  return { text, dynamic: false, start, end: index };
}

/**
 * Reads the inside of a double-quoted string from `start` to its closing quote, with the
 * escaping backslashes removed. Returns the text and the closing quote's offset, or
 * undefined for an expansion, another backslash or a missing closing quote.
 */
function readDoubleQuoted(
  source: string,
  start: number,
): { text: string; end: number } | undefined {
  let text = '';
  let pending = start;
  for (let index = start; index < source.length; index += 1) {
    const code = source.charCodeAt(index);
    if (code === DOUBLE_QUOTE) {
      return { text: text + source.slice(pending, index), end: index };
    }
    if (isExpansionChar(code)) {
      return undefined;
    }
    if (code === BACKSLASH) {
      if (!isEscapedInDoubleQuotes(source.charCodeAt(index + 1))) {
        return undefined;
      }
      // Drop the backslash and keep the character after it.
      text += source.slice(pending, index);
      pending = index + 1;
      index += 1;
    }
  }
  return undefined;
}

function recordPlainPipeline(
  parser: Parser,
  source: string,
  state: WalkState,
  stages: PlainWord[][],
  background: boolean,
  via: string[],
): void {
  const context = newContext(via);
  context.background = background;
  const id = state.nextPipelineId;
  if (stages.length > 1) {
    state.nextPipelineId += 1;
  }
  for (let index = 0; index < stages.length; index += 1) {
    const words = stages[index] ?? [];
    const first = words[0];
    const last = words.at(-1);
    if (first === undefined || last === undefined) {
      continue;
    }
    const stageContext =
      stages.length > 1 ? { ...context, pipeline: { id, index, length: stages.length } } : context;
    recordCommand(parser, state, stageContext, {
      words,
      assignments: [],
      redirects: [],
      text: source.slice(first.start, last.end),
    });
  }
}

/** `IFS=…`, `IFS+=…`, or `IFS` named by `read`, `for`, `declare` and similar. */
const IFS_ASSIGNMENT =
  /(?<![\w$])IFS\+?=|\b(?:read|for|declare|typeset|local|export|readonly|printf\s+-v)\b[^;&|\n]*\bIFS\b/;

function parseInto(
  parser: Parser,
  source: string,
  state: WalkState,
  via: string[],
  base?: WalkContext,
): void {
  if (state.depth > state.maxDepth) {
    flag(state, `nesting deeper than ${state.maxDepth} levels`);
    return;
  }
  if (!state.ifsAssigned && source.includes('IFS') && IFS_ASSIGNMENT.test(source)) {
    state.ifsAssigned = true;
  }
  // The grammar reads a backslash-newline inside a word (`r\<newline>m`) as a word break,
  // while bash joins the word. The joined text is walked as well as the text as written, so
  // a misread of where quotes or comments end can only add commands, never hide one.
  // A continuation after whitespace breaks the word in bash too. One right after a word is
  // misread as well: in `A=1\<newline> B=2 git …` the grammar takes `B=2` as the program.
  if (source.includes('\\\n') && /\S\\\n/.test(source)) {
    const joined = joinLineContinuations(source);
    if (joined !== source) {
      parseText(parser, joined, state, via, base);
    }
  }
  parseText(parser, source, state, via, base);
}

/**
 * Removes each backslash-newline that bash removes: outside single quotes and comments. A
 * heredoc body is scanned like command text, which at worst joins lines bash would not join.
 */
export function joinLineContinuations(source: string): string {
  let result = '';
  let quote: '' | "'" | '"' = '';
  let comment = false;
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index] ?? '';
    if (comment) {
      comment = char !== '\n';
      result += char;
    } else if (quote === "'") {
      quote = char === "'" ? '' : quote;
      result += char;
    } else if (char === '\\') {
      const next = source[index + 1];
      result += next === '\n' ? '' : char + (next ?? '');
      index += 1;
    } else if (quote === '"') {
      quote = char === '"' ? '' : quote;
      result += char;
    } else {
      if (char === "'" || char === '"') {
        quote = char;
      } else if (char === '#' && /^$|[\s;&|()]/.test(source[index - 1] ?? '')) {
        comment = true;
      }
      result += char;
    }
  }
  return result;
}

/**
 * Parses `source` and records its commands. `base` is the context the text runs in, when it
 * stands in for one command of a line (an alias's expansion): its pipeline place, redirects
 * and input apply to the commands of the text.
 */
function parseText(
  parser: Parser,
  source: string,
  state: WalkState,
  via: string[],
  base?: WalkContext,
): void {
  // The plain reader builds no tree, so a line that may store code in a value takes the grammar.
  if (
    base === undefined &&
    state.fastPath &&
    !mayStoreCode(source) &&
    parsePlainCommand(parser, source, state, via)
  ) {
    return;
  }
  const tree = parseBash(parser, source);
  if (tree === null) {
    flag(state, 'the parser returned no tree');
    return;
  }
  const hasError = tree.rootNode.hasError;
  if (hasError) {
    flag(state, `not valid bash: ${JSON.stringify(source.slice(0, 80))}`);
  }
  // Node ids are unique only within one tree, so each tree gets its own set.
  const outer = {
    ampAfter: state.ampAfter,
    treeHasError: state.treeHasError,
    variables: state.variables,
    functions: state.functions,
    functionCall: state.functionCall,
  };
  // Without an `&` character in the text there is no `&` token to look for.
  state.ampAfter = source.includes('&') ? nodesBeforeAmp(tree.rootNode) : new Set();
  state.treeHasError = hasError;
  // Offsets are per tree, and a nested `bash -c` shell does not see unexported variables.
  state.variables = undefined;
  state.variables =
    source.includes('$') || source.includes('`')
      ? constantVariables(tree.rootNode, state, source)
      : undefined;
  state.functions = functionDefinitions(tree.rootNode, source);
  state.functionCall = undefined;
  state.depth += 1;
  walk(
    parser,
    tree.rootNode,
    state,
    base === undefined ? newContext(via) : { ...base, via, argDynamic: undefined },
  );
  // Substitutions kept in a quoted value run when bash later expands it (`PS4='$(X)'`).
  const stored = mayStoreCode(source) ? storedCodeTexts(tree.rootNode) : [];
  state.depth -= 1;
  state.ampAfter = outer.ampAfter;
  state.treeHasError = outer.treeHasError;
  state.variables = outer.variables;
  state.functions = outer.functions;
  state.functionCall = outer.functionCall;
  tree.delete();
  for (const text of stored) {
    parseInto(parser, text, state, [...via, 'stored value']);
  }
}

/**
 * Parses `source`, reading the read-write redirect `<>` (as in `exec 3<>/dev/tcp/host/22`).
 * tree-sitter-bash 0.25 has no `<>` operator and reports its `<` or `>` as an ERROR node.
 * For each such pair this parses again with `>>` in its place, which gives the same tree
 * shape, while node text still comes from `source`, so the redirect reads as `<>`. A `!`
 * before a compound command is masked the same way.
 */
function parseBash(parser: Parser, source: string): Tree | null {
  const tree = parser.parse(source);
  if (tree === null) {
    return tree;
  }
  let masked = tree.rootNode.hasError ? maskReadWriteRedirects(source, tree.rootNode) : source;
  // `! for …` is misread too (see negated-compounds.ts).
  masked = source.includes('!') ? maskCompoundNegations(masked, tree.rootNode) : masked;
  if (masked === source) {
    return tree;
  }
  tree.delete();
  // The tree reads node text through this callback, so after the parse it serves the
  // original text. `masked` has the same length, so every offset still matches.
  let text = masked;
  const reparsed = parser.parse((index) => text.slice(index));
  text = source;
  return reparsed;
}

/** Replaces each `<>` that the parser rejected with `>>`, keeping every other character. */
function maskReadWriteRedirects(source: string, root: Node): string {
  let masked = source;
  for (const error of root.descendantsOfType('ERROR')) {
    if (error === null || error.endIndex - error.startIndex !== 1) {
      continue;
    }
    const start = error.text === '>' ? error.startIndex - 1 : error.startIndex;
    if (start >= 0 && source.slice(start, start + 2) === '<>') {
      masked = `${masked.slice(0, start)}>>${masked.slice(start + 2)}`;
    }
  }
  return masked;
}

interface WalkContext {
  via: string[];
  pipeline?: PipelinePosition;
  background: boolean;
  redirects?: Redirect[];
  heredocBody?: string;
  /** Per argument of the current command, whether it came from a run-time expansion. */
  argDynamic?: boolean[];
}

/**
 * Returns a context with every field present. Contexts are copied with spreads, and when all
 * of them have the same fields in the same order V8 keeps one object shape for them all.
 */
function newContext(via: string[]): WalkContext {
  return {
    via,
    pipeline: undefined,
    background: false,
    redirects: undefined,
    heredocBody: undefined,
    argDynamic: undefined,
  };
}

function walk(parser: Parser, node: Node, state: WalkState, context: WalkContext): void {
  switch (node.type) {
    case 'command':
      visitCommand(parser, node, state, context);
      return;
    case 'declaration_command':
    case 'unset_command':
      visitDeclaration(parser, node, state, context);
      return;
    case 'pipeline':
      visitPipeline(parser, node, state, context);
      return;
    case 'redirected_statement':
      visitRedirected(parser, node, state, context);
      return;
    case 'command_substitution':
      walkChildren(parser, node, state, newContext([...context.via, '$()']));
      return;
    case 'process_substitution':
      walkChildren(parser, node, state, newContext([...context.via, '<()']));
      return;
    case 'for_statement':
      recordForLoop(node, state);
      walkChildren(
        parser,
        node,
        state,
        withBackground(context, isBackground(node, state, context)),
      );
      return;
    case 'function_definition': {
      const name = node.childForFieldName('name')?.text ?? '';
      const definitions = state.functions?.get(name) ?? [node];
      const calls = functionCalls(name, node.tree.rootNode, definitions);
      if (calls === 'hidden') {
        flag(state, 'defines a shell function, whose later calls cannot be followed');
      }
      // When each call is walked with its arguments, the body needs no walk of its own.
      if (calls !== 'calls' || state.functionCall !== undefined) {
        walkChildren(parser, node, state, context);
      }
      return;
    }
    case 'file_redirect':
      // `$(< file)` reads a file with no command; record it as the `cat` it stands for.
      visitBareRedirect(node, state, context);
      return;
    case 'ERROR':
      flag(state, `unreadable text ${JSON.stringify(node.text.slice(0, 60))}`);
      return;
    default:
      walkChildren(
        parser,
        node,
        state,
        withBackground(context, isBackground(node, state, context)),
      );
  }
}

/** Records the variable of `for NAME in WORDS` or `select NAME in WORDS` (the grammar reads both as one node type). */
function recordForLoop(node: Node, state: WalkState): void {
  const name = node.childForFieldName('variable')?.text;
  if (name === undefined) {
    return;
  }
  const values = node
    .childrenForFieldName('value')
    .filter((child): child is Node => child !== null);
  const words: string[] = [];
  // Without `in WORDS` the loop runs over the positional parameters, which the guard cannot see.
  let complete = values.length > 0;
  for (const value of values) {
    const word = wordValue(value, state);
    if (word.dynamic) {
      complete = false;
    } else {
      words.push(word.text);
    }
  }
  const body = node.childForFieldName('body');
  const reassigned = body === null ? undefined : bodyAssignments(body, name, state);
  if (reassigned !== undefined) {
    words.push(...reassigned.words);
    complete &&= reassigned.complete;
  }
  state.result.loopVariables.push({ name, words, complete });
}

/**
 * Returns the values a loop body assigns to the loop's variable (`for f in a; do f=/etc/x;
 * …`), or undefined when it assigns none. A computed or appended value is unknown. The
 * values join the loop's words rather than replace them, because uses before the assignment
 * still see the loop's words.
 */
function bodyAssignments(
  body: Node,
  name: string,
  state: WalkState,
): { words: string[]; complete: boolean } | undefined {
  // Most bodies assign nothing, and then no node needs reading.
  if (!body.text.includes(`${name}=`) && !body.text.includes(`${name}+=`)) {
    return undefined;
  }
  const words: string[] = [];
  let complete = true;
  let found = false;
  for (const assignment of body.descendantsOfType('variable_assignment')) {
    // `f=x cmd` sets `f` for `cmd` only, not for the rest of the body.
    if (assignment === null || assignment.parent?.type === 'command') {
      continue;
    }
    if (assignment.childForFieldName('name')?.text !== name) {
      continue;
    }
    found = true;
    const value = assignment.childForFieldName('value');
    const word = value === null ? { text: '', dynamic: false } : wordValue(value, state);
    if (word.dynamic || assignment.text.startsWith(`${name}+=`)) {
      complete = false;
    } else {
      words.push(word.text);
    }
  }
  return found ? { words, complete } : undefined;
}

/** Options of bash's `read` that take the next word as their value. */
const READ_VALUE_OPTIONS = new Set(['-a', '-d', '-i', '-n', '-N', '-p', '-t', '-u']);

/**
 * Records the variables `read` sets. Their words come from the heredoc or here-string that
 * is the command's standard input; without one, `read` takes lines the guard cannot see.
 */
function recordReadVariables(state: WalkState, command: SimpleCommand): void {
  const names: string[] = [];
  for (let index = 1; index < command.argv.length; index += 1) {
    const arg = command.argv[index] ?? '';
    if (READ_VALUE_OPTIONS.has(arg)) {
      index += 1;
    } else if (/^[A-Za-z_]\w*$/.test(arg)) {
      names.push(arg);
    }
  }
  const input = command.stdin;
  const words = input === undefined ? [] : input.split(/\s+/).filter((word) => word !== '');
  for (const name of names.length === 0 ? ['REPLY'] : names) {
    state.result.loopVariables.push({ name, words, complete: input !== undefined });
  }
}

function walkChildren(parser: Parser, node: Node, state: WalkState, context: WalkContext): void {
  for (const child of namedChildrenOf(node)) {
    walk(
      parser,
      child,
      state,
      withBackground(context, context.background || followedByAmp(child, state)),
    );
  }
}

/** Returns `context` with `background` set. Contexts are never changed once made, so the result may be `context` itself. */
function withBackground(context: WalkContext, background: boolean): WalkContext {
  return background === context.background ? context : { ...context, background };
}

/** Returns the ids of the nodes below `root` whose next sibling is an `&` token. */
function nodesBeforeAmp(root: Node): Set<number> {
  const ids = new Set<number>();
  for (const amp of root.descendantsOfType('&')) {
    const before = amp?.previousSibling;
    if (before !== null && before !== undefined) {
      ids.add(before.id);
    }
  }
  return ids;
}

function namedChildrenOf(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

function followedByAmp(node: Node, state: WalkState): boolean {
  return state.ampAfter.has(node.id);
}

function isBackground(node: Node, state: WalkState, context: WalkContext): boolean {
  return context.background || followedByAmp(node, state);
}

function visitPipeline(parser: Parser, node: Node, state: WalkState, context: WalkContext): void {
  const stages = namedChildrenOf(node);
  const id = state.nextPipelineId;
  state.nextPipelineId += 1;
  stages.forEach((stage, index) => {
    walk(parser, stage, state, {
      ...context,
      pipeline: { id, index, length: stages.length },
      background: context.background || followedByAmp(node, state),
    });
  });
}

function visitRedirected(parser: Parser, node: Node, state: WalkState, context: WalkContext): void {
  const redirects: Redirect[] = [];
  let heredocBody: string | undefined;
  const nestedInHeredoc: Node[] = [];

  const body = node.childForFieldName('body');
  for (const child of namedChildrenOf(node)) {
    if (child.id === body?.id) {
      continue;
    }
    if (child.type === 'file_redirect') {
      redirects.push(readRedirect(child, state));
      walkExpansions(parser, child, state, context);
    } else if (child.type === 'heredoc_redirect' || child.type === 'herestring_redirect') {
      heredocBody = readHeredoc(child, state);
      for (const inner of namedChildrenOf(child)) {
        if (inner.type === 'file_redirect') {
          // The grammar also puts the `> file` of `cat <<EOF > file` inside the heredoc node.
          redirects.push(readRedirect(inner, state));
          walkExpansions(parser, inner, state, context);
        } else if (!inner.type.startsWith('heredoc_')) {
          nestedInHeredoc.push(inner);
        }
      }
    }
  }

  const withRedirects: WalkContext = {
    ...context,
    redirects: [...(context.redirects ?? []), ...redirects],
    background: context.background || followedByAmp(node, state),
  };
  if (heredocBody !== undefined) {
    withRedirects.heredocBody = heredocBody;
  }
  // The grammar puts the rest of `cat <<EOF | sh` inside the heredoc node. Those stages read
  // the heredoc's text through the pipe, so they join the body's pipeline.
  const stages = nestedInHeredoc.flatMap((inner) =>
    inner.type === 'pipeline' ? namedChildrenOf(inner) : [inner],
  );
  const id = state.nextPipelineId;
  if (stages.length > 0) {
    state.nextPipelineId += 1;
    withRedirects.pipeline = { id, index: 0, length: stages.length + 1 };
  }
  if (body !== null) {
    walk(parser, body, state, withRedirects);
  } else if (stages.length === 0) {
    // `> file` with no command still opens, and so creates or empties, the file.
    const parts = { argv: [':'], assignments: [], dynamic: false, text: node.text, wrappers: [] };
    pushCommand(state, withRedirects, parts);
  }
  stages.forEach((stage, index) => {
    const innerContext: WalkContext = {
      ...context,
      pipeline: { id, index: index + 1, length: stages.length + 1 },
    };
    if (heredocBody !== undefined) {
      innerContext.heredocBody = heredocBody;
    }
    walk(parser, stage, state, innerContext);
  });
}

function visitBareRedirect(node: Node, state: WalkState, context: WalkContext): void {
  const redirect = readRedirect(node, state);
  const argv = redirect.operator === '<' ? ['cat', redirect.target] : [':'];
  const parts = { argv, assignments: [], dynamic: false, text: node.text, wrappers: [] };
  pushCommand(state, { ...context, redirects: redirect.operator === '<' ? [] : [redirect] }, parts);
}

/** Text that every command or process substitution starts with. */
const SUBSTITUTION_START = /\$\(|`|[<>]\(/;

function walkExpansions(
  parser: Parser,
  node: Node,
  state: WalkState,
  context: WalkContext,
  text = node.text,
): void {
  // A node's text contains its descendants' text, so in a tree without errors a node whose
  // text has no substitution start has no substitution below it.
  if (!state.treeHasError && !SUBSTITUTION_START.test(text)) {
    return;
  }
  for (const child of namedChildrenOf(node)) {
    const type = child.type;
    if (type === 'command_substitution' || type === 'process_substitution') {
      walk(parser, child, state, context);
    } else {
      walkExpansions(parser, child, state, context);
    }
  }
}

function readRedirect(node: Node, state: WalkState): Redirect {
  const destination = node.childForFieldName('destination') ?? node.namedChildren.at(-1) ?? null;
  const operator = node.children.find((child) => child !== null && !child.isNamed)?.text ?? '>';
  const value = destination === null ? { text: '', dynamic: true } : wordValue(destination, state);
  return { operator, target: value.text };
}

function readHeredoc(node: Node, state: WalkState): string {
  const body = node.namedChildren.find((child) => child?.type === 'heredoc_body') ?? null;
  const text = body === null ? herestringText(node, state) : body.text;
  state.result.heredocs.push(text);
  return text;
}

function herestringText(node: Node, state: WalkState): string {
  const word = node.namedChildren.find(
    (child) => child !== null && !child.type.startsWith('heredoc'),
  );
  return word === undefined || word === null ? '' : wordValue(word, state).text;
}

function visitDeclaration(
  parser: Parser,
  node: Node,
  state: WalkState,
  context: WalkContext,
): void {
  const argv: string[] = [];
  let dynamic = false;
  let previousEnd = -1;
  for (const child of node.children) {
    if (child === null) {
      continue;
    }
    const value = wordValue(child, state);
    // The grammar splits a word of quoted pieces (`HIST''FILE`, `NAME"=value"`) into adjacent
    // nodes, which bash joins into one word.
    if (child.startIndex === previousEnd && argv.length > 1) {
      argv[argv.length - 1] += value.text;
    } else {
      argv.push(value.text);
    }
    previousEnd = child.endIndex;
    dynamic ||= value.dynamic;
  }
  walkExpansions(parser, node, state, context);
  const command = pushCommand(state, context, {
    argv,
    assignments: [],
    dynamic,
    text: node.text,
    wrappers: [],
  });
  for (const value of programVariableValues(command)) {
    followShellString(parser, state, context, value, command.dynamic, command);
  }
}

/**
 * Tells whether a lone `-` stands between the command and its heredoc, as in
 * `make -f - <<EOF`. The bash grammar (tree-sitter-bash) leaves that word out of the command
 * node, but the program still reads `-` as its standard input, which is the heredoc.
 */
function dashBeforeHeredoc(node: Node): boolean {
  const next = node.nextSibling;
  const parent = node.parent;
  if (next?.type !== 'heredoc_redirect' || parent === null) {
    return false;
  }
  const between = parent.text.slice(
    node.endIndex - parent.startIndex,
    next.startIndex - parent.startIndex,
  );
  return /^\s+-\s*$/.test(between);
}

function visitCommand(parser: Parser, node: Node, state: WalkState, context: WalkContext): void {
  const assignments: string[] = [];
  const words: WordValue[] = [];
  const redirects: Redirect[] = [];
  let herestring: string | undefined;
  let expanded: ExpandedPart[] | undefined;

  for (const child of node.namedChildren) {
    if (child === null) {
      continue;
    }
    const type = child.type;
    if (type === 'variable_assignment') {
      assignments.push(wordValue(child, state, type).text);
    } else if (type === 'file_redirect') {
      redirects.push(readRedirect(child, state));
    } else if (type === 'herestring_redirect') {
      herestring = herestringText(child, state);
      state.result.heredocs.push(herestring);
    } else {
      // A variable set once to a literal earlier on the line names its program, as in
      // `cmd=psql; $cmd -f x.sql`, and the command is judged as that program; a value of
      // several words is split as bash splits it. An unknown variable makes the word
      // dynamic, which recordCommand flags.
      const split =
        state.variables === undefined ? undefined : splitVariableWords(child, state, type);
      if (split === undefined) {
        words.push(wordValue(child, state, type));
      } else {
        words.push(...split);
        (expanded ??= []).push({ source: child.text, words: split });
      }
    }
  }
  if (dashBeforeHeredoc(node)) {
    words.push({ text: '-', dynamic: false });
  }
  const text = expanded === undefined ? node.text : expandedText(node.text, expanded);
  walkExpansions(parser, node, state, context, text);

  if (words.length === 0) {
    return;
  }
  // A here-string is the command's standard input, as a heredoc is.
  const withInput = herestring === undefined ? context : { ...context, heredocBody: herestring };
  recordCommand(parser, state, withInput, { words, assignments, redirects, text });
  // A default value (`${x:-w}`) is judged too, because x may well be unset.
  const defaults = defaultWords(node, state, text);
  if (defaults !== undefined && defaults.some((word, index) => word.text !== words[index]?.text)) {
    recordCommand(parser, state, withInput, { words: defaults, assignments, redirects, text });
  }
  // A value set on only some paths (`X || v=w`) is judged with and without it.
  const certain = unconditionalWords(node, state);
  if (certain !== undefined && !sameWords(certain, words)) {
    recordCommand(parser, state, withInput, { words: certain, assignments, redirects, text });
  }
  const definitions = state.functions?.get(words[0]?.text ?? '');
  if (definitions !== undefined && words[0]?.dynamic === false) {
    walkFunctionCalls(parser, node, state, context, definitions, words);
  }
}

/** Calls nested deeper than this inside function bodies are not walked again. */
const MAX_CALL_DEPTH = 4;

/**
 * Walks the body of each definition of a function that `call` runs, with the call's arguments
 * and the variables set before the call. A call before the definition runs whatever the name
 * meant before the line, and a call of a function already being walked is not followed again.
 */
function walkFunctionCalls(
  parser: Parser,
  call: Node,
  state: WalkState,
  context: WalkContext,
  definitions: readonly Node[],
  words: WordValue[],
): void {
  const outer = { variables: state.variables, functionCall: state.functionCall };
  for (const definition of definitions) {
    const body = definition.childForFieldName('body');
    const recursive =
      call.startIndex >= definition.startIndex && call.endIndex <= definition.endIndex;
    if (body === null || call.startIndex < definition.endIndex || recursive) {
      continue;
    }
    if (context.via.filter((step) => step === 'function call').length >= MAX_CALL_DEPTH) {
      flag(state, `function calls nested deeper than ${MAX_CALL_DEPTH} levels`);
      return;
    }
    state.variables = callVariables(outer.variables, call.startIndex);
    state.functionCall = functionCall(definition, words);
    walk(parser, body, state, { ...context, via: [...context.via, 'function call'] });
  }
  state.variables = outer.variables;
  state.functionCall = outer.functionCall;
}

function sameWords(left: WordValue[], right: WordValue[]): boolean {
  return (
    left.length === right.length &&
    left.every(
      (word, index) => word.text === right[index]?.text && word.dynamic === right[index]?.dynamic,
    )
  );
}

/** Words, assignments and redirects of one simple command, and its source text. */
interface CommandSyntax {
  words: WordValue[];
  assignments: string[];
  redirects: Redirect[];
  text: string;
}

/** Records a simple command with its wrappers removed and follows the code it runs. */
function recordCommand(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  { words, assignments, redirects, text }: CommandSyntax,
): void {
  if (words[0]?.dynamic === true) {
    flag(state, `the program name ${JSON.stringify(words[0].text)} is computed at run time`);
  }
  if (state.aliases !== undefined) {
    followAlias(parser, state, context, words, redirects);
  }
  const unwrapped = unwrapCommand(words.map((word) => word.text));
  const dynamic = words.some((word) => word.dynamic);
  // Most commands have no outer redirects and no `env` assignments, and then the arrays the
  // caller made for this command are used as they are instead of copied.
  const outerRedirects = context.redirects ?? [];
  const command = pushCommand(
    state,
    context,
    {
      argv: unwrapped.argv,
      assignments:
        unwrapped.assignments.length === 0
          ? assignments
          : [...assignments, ...unwrapped.assignments],
      dynamic,
      text,
      wrappers: unwrapped.wrappers,
    },
    outerRedirects.length === 0 ? redirects : [...outerRedirects, ...redirects],
  );
  for (const extra of unwrapped.extraCommands) {
    // The wrappers of the `-exec` command (`-exec sudo sysctl …`) are kept for the checks.
    const execUnwrapped = unwrapCommand(extra);
    const inner = pushCommand(state, context, {
      argv: execUnwrapped.argv,
      assignments: execUnwrapped.assignments,
      dynamic: command.dynamic,
      text,
      wrappers: ['find -exec', ...execUnwrapped.wrappers],
    });
    // `find -exec sh -c '…' \;` runs a script and `-exec poetry run CMD \;` runs CMD, which
    // are followed as they are at the top level.
    const execWords = extra.map((word) => ({ text: word, dynamic: command.dynamic }));
    const execContext = { ...context, argDynamic: undefined };
    followCommandRuns(parser, state, execContext, inner, execWords);
    for (const script of execUnwrapped.shellStrings) {
      followShellString(parser, state, execContext, script, command.dynamic, inner);
    }
  }
  for (const script of unwrapped.shellStrings) {
    followShellString(parser, state, context, script, command.dynamic, command);
  }
  if (!dynamic && context.argDynamic === undefined) {
    // With no dynamic word, followNestedCode falls back to `command.dynamic`, which is false,
    // exactly as it would read an all-false `argDynamic`.
    followCommandRuns(parser, state, context, command, words);
    return;
  }
  // Unwrapping only drops leading words, so the program's arguments are the last words.
  const argDynamic = words.slice(words.length - unwrapped.argv.length).map((word) => word.dynamic);
  followCommandRuns(parser, state, context, command, words, { ...context, argDynamic });
}

/**
 * Follows what a recorded command runs in turn: inline code and nested shells, the commands
 * of `trap`, `awk` or `xargs`, and the command of a project runner. `words` are the
 * command's words before its wrappers were removed, and `codeContext` tells which of its
 * arguments are computed at run time.
 */
function followCommandRuns(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
  words: WordValue[],
  codeContext: WalkContext = context,
): void {
  followNestedCode(parser, state, codeContext, command);
  followRunners(parser, state, context, command, words);
  followProjectRunner(parser, state, context, command, words);
}

/**
 * Records the command that a project runner or environment injector runs (`uv run CMD`,
 * `op run -- CMD`) as one more simple command, nested under the runner. The runner's own
 * command stays as it is, for the checks that read it whole.
 */
function followProjectRunner(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
  words: WordValue[],
): void {
  const call = runnerCall(command.argv);
  if (call === undefined) {
    return;
  }
  const inner: WalkContext = { ...context, via: [...context.via, call.label], redirects: [] };
  // Assignments before the runner reach the command too. The environment a runner selects is
  // added as ENVIRONMENT=NAME, which the production checks read as where the command runs.
  const assignments =
    call.environment === undefined
      ? command.assignments
      : [...command.assignments, `ENVIRONMENT=${call.environment}`];
  const offset = words.length - command.argv.length;
  const innerCommands = call.starts.map((start) => words.slice(offset + start));
  for (const argv of call.commands) {
    innerCommands.push(argv.map((text) => ({ text, dynamic: command.dynamic })));
  }
  for (const innerWords of innerCommands) {
    const first = innerWords[0];
    if (first === undefined) {
      continue;
    }
    const syntax = {
      words: innerWords,
      assignments,
      redirects: command.redirects,
      text: command.text,
    };
    recordCommand(parser, state, inner, syntax);
    // Task runners such as `pixi run 'CMD'` and `devbox run 'CMD'` run one quoted word as shell text.
    if (innerWords.length === 1 && /\s/.test(first.text)) {
      followShellString(parser, state, inner, first.text, first.dynamic, command);
    }
  }
  for (const script of call.scripts) {
    followShellString(parser, state, inner, script, command.dynamic, command);
  }
}

/**
 * Judges a call of an alias defined earlier as the text it expands to, followed by its
 * arguments, in the call's place: its pipeline, redirects and heredoc apply to the expansion,
 * so `alias s=sh; curl URL | s` is read as a pipe into `sh`. As in bash, an alias is not
 * expanded again inside its own expansion.
 */
function followAlias(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  words: WordValue[],
  redirects: Redirect[],
): void {
  const name = words[0]?.text ?? '';
  const body = state.aliases?.get(name);
  if (body === undefined) {
    return;
  }
  const text = [body, ...words.slice(1).map((word) => quoteWord(word.text))].join(' ');
  if (words.some((word) => word.dynamic)) {
    flag(state, `the alias ${JSON.stringify(name)} runs with arguments computed at run time`);
  }
  state.aliases?.delete(name);
  const place: WalkContext = {
    ...context,
    redirects:
      redirects.length === 0 ? context.redirects : [...(context.redirects ?? []), ...redirects],
  };
  parseInto(parser, text, state, [...context.via, 'alias'], place);
  state.aliases?.set(name, body);
}

/**
 * Variables whose value programs run as a command: git runs `$EDITOR` through a shell on
 * commit, `less` runs `$LESSOPEN`, bash runs `$PROMPT_COMMAND` and sources `$BASH_ENV`.
 */
const PROGRAM_VARIABLE =
  /^(?:EDITOR|VISUAL|GIT_EDITOR|GIT_SEQUENCE_EDITOR|PAGER|GIT_PAGER|MANPAGER|SYSTEMD_PAGER|GIT_SSH_COMMAND|GIT_SSH|GIT_ASKPASS|SSH_ASKPASS|SUDO_ASKPASS|GIT_EXTERNAL_DIFF|BROWSER|LESSOPEN|LESSCLOSE|PROMPT_COMMAND|BASH_ENV|ENV)=/;

/**
 * A function that bash imports from its environment: `BASH_FUNC_ls%%=() { …; }` makes every
 * bash it starts run the body in place of `ls`. The group is the body.
 */
const EXPORTED_FUNCTION = /^\s*\(\)\s*\{([\s\S]*)\}\s*$/;

/**
 * Returns the values of program variables that `command` sets, for itself or by `export`, and
 * the bodies of shell functions it passes in the environment.
 */
function programVariableValues(command: SimpleCommand): string[] {
  const exported =
    command.name === 'export' || command.name === 'declare' || command.name === 'typeset'
      ? command.argv.slice(1)
      : [];
  // Most commands set no variable, and then no list is built.
  if (command.assignments.length === 0 && exported.length === 0) {
    return [];
  }
  const values: string[] = [];
  for (const assignment of [...command.assignments, ...exported]) {
    const value = assignment.slice(assignment.indexOf('=') + 1);
    const body = EXPORTED_FUNCTION.exec(value)?.[1];
    if (body !== undefined) {
      values.push(body);
    } else if (PROGRAM_VARIABLE.test(assignment)) {
      values.push(value);
    }
  }
  return values.filter((value) => value.trim() !== '');
}

/** Follows the commands that programs such as `trap`, `awk` or `tar` run from their arguments. */
function followRunners(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
  words: WordValue[],
): void {
  if (command.wrappers.includes('xargs') || command.name === 'parallel') {
    const problem = xargsRunsInput(words.map((word) => word.text));
    if (problem !== undefined) {
      flag(state, problem);
    }
    const line = xargsCommandLine(
      words.map((word) => word.text),
      context.heredocBody ?? pipedText(state, command),
      (file) => substitutionText(parser, state, file),
    );
    if (line !== undefined) {
      followShellString(parser, state, context, line, command.dynamic, command);
    }
  }
  for (const value of programVariableValues(command)) {
    followShellString(parser, state, context, value, command.dynamic, command);
  }
  const runs = nestedRuns(command.argv, command.name, context.heredocBody, (word) =>
    substitutionText(parser, state, word),
  );
  if (runs === undefined) {
    return;
  }
  for (const problem of runs.unreadable) {
    flag(state, problem);
  }
  for (const script of runs.scripts) {
    followShellString(parser, state, context, script, command.dynamic, command);
  }
}

/**
 * Returns what a process substitution word (`<(printf 'all:\n\t%s\n' X)`) prints when every
 * command in it is a `printf` or `echo` of literal words, or undefined.
 */
function substitutionText(parser: Parser, state: WalkState, word: string): string | undefined {
  const body = /^<\(([\s\S]*)\)$/.exec(word)?.[1];
  if (body === undefined) {
    return undefined;
  }
  const inner = newWalkState({ homeDir: state.homeDir, cwd: state.cwd });
  parseInto(parser, body, inner, []);
  const { commands } = inner.result;
  const texts = commands.map((command) =>
    command.dynamic || command.redirects.length > 0 || command.pipeline !== undefined
      ? undefined
      : printedText(command.argv),
  );
  return commands.length > 0 && inner.result.confident && texts.every((text) => text !== undefined)
    ? texts.join('')
    : undefined;
}

/** Returns what the stage before `command` in its pipeline prints, when it is literal. */
function pipedText(state: WalkState, command: SimpleCommand): string | undefined {
  const position = command.pipeline;
  if (position === undefined || position.index === 0) {
    return undefined;
  }
  const previous = state.result.commands.findLast(
    (other) => other.pipeline?.id === position.id && other.pipeline.index === position.index - 1,
  );
  return previous === undefined || previous.dynamic ? undefined : printedText(previous.argv);
}

interface CommandParts {
  argv: string[];
  assignments: string[];
  dynamic: boolean;
  text: string;
  wrappers: string[];
}

/** Records a simple command; `redirects` defaults to the context's. */
function pushCommand(
  state: WalkState,
  context: WalkContext,
  parts: CommandParts,
  redirects: Redirect[] = context.redirects ?? [],
): SimpleCommand {
  const first = parts.argv[0] ?? '';
  const systemName = systemProgramName(first, state.cwd, relativeAfterCd(state, first));
  const argv = systemName === undefined ? parts.argv : [systemName, ...parts.argv.slice(1)];
  const command: SimpleCommand = {
    argv,
    // Without a slash the base name is the word itself, which skips the call.
    name: first.includes('/') ? path.posix.basename(first) : first,
    wrappers: parts.wrappers,
    assignments: parts.assignments,
    redirects,
    dynamic: parts.dynamic,
    via: context.via,
    background: context.background,
    text: parts.text,
  };
  if (context.pipeline !== undefined) {
    command.pipeline = context.pipeline;
  }
  countBraceWords(state, command);
  flagSplitWords(state, command);
  if (context.heredocBody !== undefined) {
    command.stdin = context.heredocBody;
  }
  state.result.commands.push(command);
  if (command.name === 'read') {
    recordReadVariables(state, command);
  }
  return command;
}

/** Whether `word` is a relative path and an earlier command of the line changes folder. */
function relativeAfterCd(state: WalkState, word: string): boolean {
  return (
    word.includes('/') &&
    !word.startsWith('/') &&
    state.result.commands.some((command) => command.name === 'cd' || command.name === 'pushd')
  );
}

/**
 * A flag cluster that ends in an expansion: `-rf$X`, `-rf${IFS}~`, `-rf$(echo " ~")`. One
 * letter before it is usually an option with its value attached (`mysql -p$PASS`), so that
 * counts only for programs that delete or change permissions.
 */
const FLAG_THEN_EXPANSION = /^-[A-Za-z]{2,}(?:\$|`)/;
const ONE_FLAG_THEN_EXPANSION = /^-[A-Za-z](?:\$|`)/;
const DELETERS = new Set(['rm', 'rmdir', 'shred', 'chmod', 'chown', 'chgrp', 'find', 'unlink']);
/** `$IFS` or `${IFS}`, which splits a word at run time. */
const IFS_WORD = /\$(?:IFS\b|\{IFS\})/;

/**
 * Flags a command whose words bash may split into more arguments than the guard sees: a word
 * with `$IFS` in it, or a flag cluster that ends in an expansion (`rm -rf$X` with X=" ~" is
 * `rm -rf ~`). The guard reads each such word as one argument, so it cannot judge the call.
 */
function flagSplitWords(state: WalkState, command: SimpleCommand): void {
  for (const word of command.argv) {
    // Each pattern needs a `$` or a backtick, which most words lack.
    if (!word.includes('$') && !word.includes('`')) {
      continue;
    }
    if (
      IFS_WORD.test(word) ||
      FLAG_THEN_EXPANSION.test(word) ||
      (DELETERS.has(command.name) && ONE_FLAG_THEN_EXPANSION.test(word))
    ) {
      flag(state, `the word ${JSON.stringify(word.slice(0, 40))} may split into more arguments`);
      return;
    }
  }
}

/**
 * Adds the brace expansion sizes of a command's words to the line's total and flags a word
 * or a line over its bound, because the checks leave such words unexpanded.
 */
function countBraceWords(state: WalkState, command: SimpleCommand): void {
  const before = state.braceWords;
  for (const word of command.argv) {
    addBraceWords(state, word);
  }
  for (const redirect of command.redirects) {
    addBraceWords(state, redirect.target);
  }
  if (before <= MAX_TOTAL_BRACE_WORDS && state.braceWords > MAX_TOTAL_BRACE_WORDS) {
    flag(state, `brace expansions of more than ${MAX_TOTAL_BRACE_WORDS} words in all`);
  }
}

function addBraceWords(state: WalkState, word: string): void {
  const count = braceWordCount(word);
  if (count > MAX_BRACE_WORDS) {
    flag(state, `a brace expansion of more than ${MAX_BRACE_WORDS} words`);
  }
  state.braceWords += count;
}

/**
 * `eval "$(TOOL …)"` calls whose tool prints shell settings for its own use, as each tool's
 * set-up instructions say: agents, version managers, prompt and directory tools, Homebrew and
 * conda. The printed text is the tool's own, so the eval needs no human; the tool's own
 * command is judged like any other.
 */
const SHELL_SETUP =
  /^\$\(\s*(?:[\w./-]*\/)?(?:ssh-agent(?:\s+-[sc])?|(?:pyenv|rbenv|nodenv|goenv|jenv|plenv)\s+(?:init|virtualenv-init)(?:\s+-|\s+--path)?(?:\s+\w+)?|direnv\s+(?:hook|export)\s+\w+|(?:starship|zoxide)\s+init\s+\w+|(?:mise|rtx)\s+activate(?:\s+\w+)?|fnm\s+env(?:\s+--[\w-]+)*|brew\s+shellenv|conda\s+shell\.\w+\s+hook|opam\s+env|dircolors(?:\s+-[bc])?)\s*\)$/;

function followShellString(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  script: string,
  dynamic: boolean,
  command: SimpleCommand,
): void {
  // The substitution itself is already parsed as a command, so only the printed text is skipped.
  if (command.name === 'eval' && command.argv.length === 2 && SHELL_SETUP.test(script)) {
    return;
  }
  if (dynamic) {
    flag(
      state,
      `${command.name} runs text built at run time: ${JSON.stringify(command.text.slice(0, 80))}`,
    );
  }
  recordNestedScript(state.result, script, context.via);
  parseInto(parser, script, state, [...context.via, command.name]);
}

/** Follows `bash -c`, `eval`, shells fed a heredoc, and interpreters given inline code. */
function followNestedCode(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
): void {
  const { argv, name } = command;
  if (name === 'alias') {
    for (const definition of argv.slice(1)) {
      const value = definition.slice(definition.indexOf('=') + 1);
      if (definition.includes('=') && value.trim() !== '') {
        parseInto(parser, value.replace(/^!/, ''), state, [...context.via, 'alias']);
        state.aliases ??= new Map();
        state.aliases.set(definition.slice(0, definition.indexOf('=')), value);
      }
    }
    return;
  }
  if (name === 'hash' && argv[1] === '-p' && argv.length >= 4) {
    // `hash -p /bin/rm x` makes `x` run `/bin/rm`, as an alias would.
    state.aliases ??= new Map();
    for (const alias of argv.slice(3)) {
      state.aliases.set(alias, quoteWord(argv[2] ?? ''));
    }
    return;
  }
  if ((name === 'at' || name === 'batch') && schedulesInput(argv)) {
    const input = context.heredocBody ?? pipedText(state, command);
    if (input !== undefined) {
      parseInto(parser, input, state, [...context.via, name]);
    }
    return;
  }
  if (name === 'eval') {
    const dynamic = context.argDynamic?.slice(1).some(Boolean) ?? command.dynamic;
    followShellString(parser, state, context, argv.slice(1).join(' '), dynamic, command);
    return;
  }
  if (isShell(name) || name === 'source' || name === '.') {
    flagRuntimeScript(state, command);
  }
  if (isShell(name)) {
    followShell(parser, state, context, command);
    return;
  }
  if (name === 'docker' || name === 'podman' || name === 'docker-compose' || name === 'kubectl') {
    followContainerShell(parser, state, context, command);
    return;
  }
  const embedded = embeddedShellText(argv, name);
  if (embedded !== undefined) {
    const dynamic = context.argDynamic?.[embedded] ?? command.dynamic;
    followShellString(parser, state, context, argv[embedded] ?? '', dynamic, command);
  }
  const interpreter = interpreterName(name);
  if (interpreter === undefined) {
    return;
  }
  const flags = INLINE_FLAGS[interpreter] ?? [];
  const flagIndex = argv.findIndex((arg, index) => index > 0 && flags.includes(arg));
  if (flagIndex > 0 && argv[flagIndex + 1] !== undefined) {
    // Code built at run time (`python3 -c "$(… | base64 -d)"`, `node -e "$CODE"`) cannot be
    // read, as `bash -c "$(…)"` cannot.
    if (context.argDynamic?.[flagIndex + 1] ?? command.dynamic) {
      flag(
        state,
        `${name} runs code built at run time: ${JSON.stringify(command.text.slice(0, 80))}`,
      );
    }
    addInlineCode(parser, state, context, interpreter, argv[flagIndex + 1] ?? '');
    return;
  }
  // `ed` and `ex` read their commands from standard input whatever file they edit.
  const readsStdin = argv.length === 1 || argv[1] === '-' || interpreter === 'ed';
  if (readsStdin && context.heredocBody !== undefined) {
    addInlineCode(parser, state, context, interpreter, context.heredocBody);
  }
  // `python3 <(… | base64 -d)` runs a script whose text only exists at run time.
  const script = argv.slice(1).find((arg) => !arg.startsWith('-'));
  if (script !== undefined && /^[<=]\(/.test(script)) {
    flag(
      state,
      `${name} runs a script built at run time: ${JSON.stringify(command.text.slice(0, 80))}`,
    );
  }
}

/** Records inline code and parses the shell commands it passes to `os.system` and similar. */
function addInlineCode(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  interpreter: string,
  code: string,
): void {
  state.result.inlineCode.push({ interpreter, code });
  const parsed = new Set<string>();
  for (const match of code.matchAll(SHELL_CALL)) {
    const script = match[2];
    if (script !== undefined && script.trim() !== '') {
      parsed.add(script);
      recordNestedScript(state.result, script, context.via);
      parseInto(parser, script, state, [...context.via, interpreter]);
    }
  }
  const computed = computedInlineCommand(interpreter, code);
  if (computed !== undefined) {
    flag(
      state,
      `${interpreter} code runs a command built at run time: ${JSON.stringify(computed)}`,
    );
  }
  for (const script of inlineCommandsOf(interpreter, code)) {
    if (!parsed.has(script) && script.trim() !== '') {
      parsed.add(script);
      recordNestedScript(state.result, script, context.via);
      parseInto(parser, script, state, [...context.via, interpreter]);
    }
  }
  for (const script of shellTextsOf(interpreter, code)) {
    recordNestedScript(state.result, script, context.via);
    parseInto(parser, script, state, [...context.via, interpreter]);
  }
  // Deletes and writes of literal paths are recorded as the `rm -rf` and `> file` they
  // amount to, so the path checks judge them as they judge shell commands.
  const effects = inlineFileEffects(code);
  const inner = { ...context, via: [...context.via, interpreter] };
  for (const target of effects.deletes) {
    const parts = {
      argv: ['rm', '-rf', target],
      assignments: [],
      dynamic: false,
      text: code,
      wrappers: [],
    };
    pushCommand(state, inner, parts, []);
  }
  for (const target of effects.writes) {
    const parts = { argv: [':'], assignments: [], dynamic: false, text: code, wrappers: [] };
    pushCommand(state, inner, parts, [{ operator: '>', target }]);
  }
}

function followShell(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
): void {
  // `busybox sh -c TEXT` names its shell applet first.
  const skip = command.name === 'busybox' ? 2 : 1;
  if (skip === 2 && !BUSYBOX_SHELLS.has(command.argv[1] ?? '')) {
    return;
  }
  const source = shellSource(command.argv.slice(skip));
  if (source.kind === 'missing') {
    flag(state, `${command.name} -c has no command text`);
  } else if (source.kind === 'text') {
    const script = command.argv[source.index + skip] ?? '';
    const dynamic = context.argDynamic?.[source.index + skip] ?? command.dynamic;
    followShellString(parser, state, context, script, dynamic, command);
  } else if (source.kind === 'stdin' && context.heredocBody !== undefined) {
    recordNestedScript(state.result, context.heredocBody, context.via);
    parseInto(parser, context.heredocBody, state, [...context.via, 'heredoc']);
  }
}

/** busybox applets that are shells. */
const BUSYBOX_SHELLS = new Set(['sh', 'ash', 'hush', 'bash']);

/**
 * Follows `sh -c TEXT` run by a container exec (`docker exec NAME sh -c TEXT`), so the
 * commands of TEXT are judged with the exec in their `via`, as commands run in the container.
 */
function followContainerShell(
  parser: Parser,
  state: WalkState,
  context: WalkContext,
  command: SimpleCommand,
): void {
  const exec = containerExec(command.argv);
  const first = exec?.argv[0] ?? '';
  if (exec === undefined || !isShell(path.posix.basename(first))) {
    return;
  }
  const inner: SimpleCommand = {
    ...command,
    argv: exec.argv,
    name: path.posix.basename(first),
    dynamic: context.argDynamic?.slice(exec.start).some(Boolean) ?? command.dynamic,
  };
  const argDynamic = context.argDynamic?.slice(exec.start);
  followShell(parser, state, { ...context, via: [...context.via, exec.label], argDynamic }, inner);
}

/** Paths of a process substitution or an open descriptor, whose text exists only at run time. */
const RUNTIME_SCRIPT = /^[<=]\(|^\/dev\/fd\/|^\/dev\/stdin$|^\/proc\/(?:self|thread-self|\d+)\//;
/** Shell options that take a value: `bash -o errexit script`. */
const VALUE_OPTIONS = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

/**
 * Flags a shell or `source` whose script is a process substitution or a descriptor path
 * (`bash <(…)`, `source <(…)`, `bash < <(…)`, `bash /dev/fd/3`): the script's text is made
 * at run time, so the guard cannot read it.
 */
function flagRuntimeScript(state: WalkState, command: SimpleCommand): void {
  const args = command.argv.slice(1);
  const scriptIndex = args.findIndex(
    (arg, index) =>
      !arg.startsWith('-') && !arg.startsWith('+') && !VALUE_OPTIONS.has(args[index - 1] ?? ''),
  );
  const script = scriptIndex < 0 ? undefined : args[scriptIndex];
  const input = command.redirects.find((redirect) => redirect.operator === '<')?.target;
  const runtime = [script, input].find((word) => word !== undefined && RUNTIME_SCRIPT.test(word));
  if (runtime !== undefined) {
    flag(
      state,
      `${command.name} runs a script built at run time: ${JSON.stringify(command.text.slice(0, 80))}`,
    );
  }
}

function flag(state: WalkState, problem: string): void {
  state.result.confident = false;
  state.result.problems.push(problem);
}
