/**
 * The guard pipeline: backstop, deterministic policy, tiers, stage 1, and optionally
 * stage 2 for what stage 1 flags as uncertain.
 */
import { SandstackError } from '../core/errors.js';
import { createBackstop, type Backstop } from './backstop.js';
import {
  createPolicy,
  evaluatePolicy,
  loadPolicyFile,
  type Policy,
  type PolicyInput,
} from './policy.js';
import { followLineLinks, RealPaths, realCall, realContext, realShellPaths } from './symlinks.js';
import { followIndirectRuns } from './indirect-runs.js';
import { followFindSelections } from './find-selections.js';
import { withGuardDependencies } from './guard-dependencies.js';
import { followRemoteHeredocs, followWrittenScripts } from './written-scripts.js';
import { followRequestConfigs } from './request-configs.js';
import { filesRun, readConfigFiles, unreadRunFileFinding, type RunFile } from './run-files.js';
import { parseShell, type ParsedShell } from './shell.js';
import type { Finding } from './findings.js';
import { argumentCalls } from './mcp-arguments.js';
import { writtenScriptCommand } from './written-files.js';
import { countsForWrittenCode, writtenCodeCommand } from './written-code.js';
import { notebookCommand } from './written-notebooks.js';
import { followEmbeddedActions } from './embedded-actions.js';
import { parseNestedLines, type NestedParse, type NestedParses } from './nested-lines.js';
import { asMcpCall } from './agent-tools.js';
import { classifyShell } from './stage1.js';
import { checkLoaderConfig } from './loader-configs.js';
import { runLaterCommands } from './run-later.js';
import { secretPrintedToLog } from './ci-steps.js';
import { checkRunLaterFetch } from './run-later-fetches.js';
import { runLaterCopy, runLaterFileWrite, runLaterShellWrites } from './run-later-writes.js';
import type { Stage2Classifier } from './stage2.js';
import { callWords, refusedTarget, refusesAnyTarget } from './refused-targets.js';
import { classifyTool, isTierTool } from './tiers.js';
import { ownGuardFiles, withOwnFiles } from './own-files.js';
import type { Decision, Guard, GuardContext, Tier, ToolCall } from './types.js';

/** Options for {@link createGuard}. */
export interface GuardOptions {
  /** Rules checked before the tiers; deny and ask rules always apply. @default DEFAULT_POLICY */
  policy?: Policy;
  /** Classifier for calls stage 1 marks uncertain; without it they go to a human (`ask`). */
  stage2?: Stage2Classifier;
  /**
   * Checks to switch off, for scoring each stage on its own. With `tier` off, non-Bash
   * calls are not checked, and with `stage1` off, Bash calls are not. The policy always
   * applies.
   * @default []
   */
  disable?: readonly ('tier' | 'stage1')[];
  /** Denial counter; pass one to share it across guards. @default a new backstop */
  backstop?: Backstop;
  /** Session the backstop counts denials for. @default 'default' */
  sessionId?: string;
  /**
   * Files the guard runs with, such as its state or approval databases, that every call is
   * checked against like {@link GuardContext.guardFiles}. The policy's own files, the
   * installed sandstack package and the project's `.sandstack` folder are always added.
   * @default []
   */
  guardFiles?: readonly string[];
}

/** A guard with access to its denial backstop. */
export interface SandstackGuard extends Guard {
  readonly backstop: Backstop;
}

/**
 * Rules every guard applies unless given another policy: the dangerous calls the main job
 * must block whatever the user's messages request.
 */
export const DEFAULT_POLICY_INPUT: PolicyInput = {
  deny: [
    // Force pushes to the branches others build on. A force push to another branch is
    // checked by stage 1, which lets it run when the user asked for it and named the branch.
    'Bash(git push --force *main*)',
    'Bash(git push --force *master*)',
    'Bash(git push --force *trunk*)',
    'Bash(git push --force *release*)',
    'Bash(git push -f *main*)',
    'Bash(git push -f *master*)',
    'Bash(git push -f *trunk*)',
    'Bash(git push -f *release*)',
    // A lease still replaces the remote branch. Stage 1 sends a bare lease push, which pushes
    // the current branch, to a human unless the user asked to update their own rewritten PR.
    'Bash(git push *--force-with-lease* main)',
    'Bash(git push *--force-with-lease* master)',
    'Bash(git push *--force-with-lease*:main)',
    'Bash(git push *--force-with-lease*:master)',
    'Bash(rm -rf /)',
    'Bash(rm -rf ~)',
    // The private keys by their default names. Other files in ~/.ssh are checked by the
    // tiers, which let public keys (`*.pub`), `known_hosts` and `config` be read.
    'Read(~/.ssh/id_rsa)',
    'Read(~/.ssh/id_ed25519)',
    'Read(~/.ssh/id_ecdsa)',
    'Read(~/.ssh/id_dsa)',
    'Read(~/.aws/credentials)',
    'Read(~/.netrc)',
    'Read(//etc/shadow)',
  ],
  ask: [],
  allow: [],
};

/** The default policy, built from {@link DEFAULT_POLICY_INPUT}. */
export const DEFAULT_POLICY: Policy = createPolicy(DEFAULT_POLICY_INPUT);

/** Categories stage 1 is unsure of; with a stage-2 classifier they are decided there. */
const UNCERTAIN_CATEGORIES = new Set(['unparsed']);
/** Categories whose findings the guard denies rather than sends to a human. */
const CERTAIN_CATEGORIES =
  /exfiltration|credential|network-callback|local-destruction|self-modification/;

/**
 * Creates a guard.
 *
 * @example
 * const guard = createGuard();
 * const decision = await guard.decide(
 *   { tool: 'Bash', input: { command: 'git push --force origin main' } },
 *   { cwd: '/workspace', projectDir: '/workspace', userMessages: ['Tidy up the history.'] },
 * );
 * decision.verdict; // 'deny'
 */
export function createGuard(options: GuardOptions = {}): SandstackGuard {
  const policy = options.policy ?? DEFAULT_POLICY;
  const backstop = options.backstop ?? createBackstop();
  const sessionId = options.sessionId ?? 'default';
  const disabled: ReadonlySet<string> = new Set(options.disable ?? []);
  const ownFiles = ownGuardFiles(policy, options.guardFiles);

  return {
    backstop,
    async decide(call, context) {
      const halted = backstop.check(sessionId);
      if (halted !== undefined) {
        return halted;
      }
      const decision = await decideCall(call, context, policy, options, disabled, ownFiles);
      backstop.record(sessionId, decision);
      return decision;
    },
  };
}

async function decideCall(
  original: ToolCall,
  given: GuardContext,
  policy: Policy,
  options: GuardOptions,
  disabled: ReadonlySet<string>,
  ownFiles: readonly string[],
): Promise<Decision> {
  const stage2 = options.stage2;
  const invalid = validateCall(asMcpCall(original));
  if (invalid !== undefined) {
    return invalid;
  }
  const scoped = withGuardDependencies(withProject(given));
  const real = scoped.resolveSymlinks === true ? new RealPaths() : undefined;
  const context = withOwnFiles(
    real === undefined ? scoped : realContext(scoped, real),
    ownFiles,
    scoped.projectDir !== NO_PROJECT,
  );
  const call =
    real === undefined ? asMcpCall(original) : realCall(asMcpCall(original), context, real);
  const parsed = call.tool === 'Bash' ? await parseCommand(call, context, real) : undefined;
  if (parsed !== undefined && 'finding' in parsed) {
    return blockDecision(parsed.finding, 'stage1', 3);
  }
  const shell = parsed?.shell;
  const tier: Tier = call.tool === 'Bash' ? 3 : classifyTool(call, context).tier;

  const match = evaluatePolicy(policy, call, context, shell);
  if (match !== undefined && match.verdict !== 'allow') {
    // Stage 1 names the danger category when it finds one; the policy rule stays the reason.
    const category = findDanger(call, context, shell, new Set())?.finding.category ?? 'policy';
    return {
      verdict: match.verdict,
      stage: 'policy',
      tier,
      category,
      rule: `${match.verdict} ${match.rule.source}`,
      reason: `The policy rule "${match.rule.source}" says ${match.verdict}`,
    };
  }
  // The actions in an MCP call's arguments are more specific than its tool name, so they
  // are checked first.
  const found =
    (await findAnyDanger(call, context, shell, disabled, real)) ??
    (await findDangerOnRefusedTarget(call, context, shell, disabled, real));
  if (found === undefined) {
    return allowDecision(call, tier, match?.rule.source);
  }
  if (match !== undefined && !isCertain(found.finding)) {
    // An explicit allow rule for every part of the command outranks a finding that would
    // only ask. A denial stays, so a broad rule such as `Bash(*)` cannot let a credential
    // read, an exfiltration or a change of the guard's own files through.
    return allowDecision(call, tier, match.rule.source);
  }
  if (match !== undefined) {
    const decision = blockDecision(found.finding, found.stage, tier);
    return {
      ...decision,
      reason: `${decision.reason}; the policy rule "${match.rule.source}" allows the call, but no allow rule overrides this check`,
    };
  }
  if (stage2 !== undefined && UNCERTAIN_CATEGORIES.has(found.finding.category)) {
    return stage2.classify(call, context.userMessages, found.finding);
  }
  return blockDecision(found.finding, found.stage, tier);
}

/** A danger one of the stages found, and which stage found it. */
type FoundDanger = { finding: Finding; stage: 'tier' | 'stage1' };

async function findAnyDanger(
  call: ToolCall,
  context: GuardContext,
  shell: ParsedShell | undefined,
  disabled: ReadonlySet<string>,
  real: RealPaths | undefined,
): Promise<FoundDanger | undefined> {
  return (
    (await findArgumentDanger(call, context, disabled, real)) ??
    findDanger(call, context, shell, disabled) ??
    (await findScriptDanger(call, context, disabled)) ??
    (await findRunFileDanger(call, context, shell, disabled)) ??
    (await findRunLaterDanger(call, context, shell, disabled))
  );
}

/**
 * Judges a shell or MCP call that acts on a target the user refused ("don't touch the latest
 * tag", "prod is fine, leave it") as if the user had asked for nothing, so a broader earlier
 * request cannot consent to it. See refused-targets.ts.
 */
async function findDangerOnRefusedTarget(
  call: ToolCall,
  context: GuardContext,
  shell: ParsedShell | undefined,
  disabled: ReadonlySet<string>,
  real: RealPaths | undefined,
): Promise<FoundDanger | undefined> {
  if (
    context.userMessages.length === 0 ||
    (shell === undefined && !call.tool.startsWith('mcp__')) ||
    !refusesAnyTarget(context.userMessages)
  ) {
    return undefined;
  }
  const target = refusedTarget(callWords(call.input, shell), context.userMessages);
  if (target === undefined) {
    return undefined;
  }
  const found = await findAnyDanger(call, { ...context, userMessages: [] }, shell, disabled, real);
  return found === undefined
    ? undefined
    : {
        ...found,
        finding: {
          ...found.finding,
          reason: `${found.finding.reason}; the user refused "${target}", which the call acts on`,
        },
      };
}

/**
 * Stands for "no project" when the project folder given is `/`: every path would be inside
 * such a project, so no write or delete would count as outside it. No real folder has this
 * name, so nothing counts as inside it.
 */
const NO_PROJECT = '/nonexistent/sandstack-no-project';

function withProject(context: GuardContext): GuardContext {
  return context.projectDir.replace(/\/+$/, '') === ''
    ? { ...context, projectDir: NO_PROJECT }
    : context;
}

function findDanger(
  call: ToolCall,
  context: GuardContext,
  shell: ParsedShell | undefined,
  disabled: ReadonlySet<string>,
): { finding: Finding; stage: 'tier' | 'stage1' } | undefined {
  if (shell !== undefined && disabled.has('stage1')) {
    return undefined;
  }
  if (shell === undefined && disabled.has('tier')) {
    return undefined;
  }
  if (shell !== undefined) {
    const finding = classifyShell(shell, String(call.input['command']), context);
    return finding === undefined ? undefined : { finding, stage: 'stage1' };
  }
  if (!isTierTool(call.tool)) {
    return {
      stage: 'tier',
      finding: {
        category: 'unknown-tool',
        reason: `The tool "${call.tool}" is unknown to the guard, so a human must approve it`,
        rule: 'tier:unknown-tool',
      },
    };
  }
  const result = classifyTool(call, context);
  if (result.finding === undefined) {
    return undefined;
  }
  return { finding: result.finding, stage: result.tier === 3 ? 'stage1' : 'tier' };
}

/**
 * Judges a Write of a script, or the code cells a Write or NotebookEdit puts into a notebook,
 * as the command line that runs it. A shell script counts as the commands it holds, so a
 * finding that asks or denies there does so for the Write. A Python, Node, Ruby, Perl or PHP script
 * counts as the same code given inline, and only its credential reads and sends count (see
 * written-code.ts). Notebook cells count only for findings the guard denies (exfiltration,
 * credentials, destruction, self-modification), so a cell that reads an API key for its
 * client stays open.
 */
async function findScriptDanger(
  call: ToolCall,
  context: GuardContext,
  disabled: ReadonlySet<string>,
): Promise<{ finding: Finding; stage: 'stage1' } | undefined> {
  if (disabled.has('stage1')) {
    return undefined;
  }
  const shellCommand = writtenScriptCommand(call);
  const codeCommand = shellCommand === undefined ? writtenCodeCommand(call) : undefined;
  const cellsCommand =
    shellCommand === undefined && codeCommand === undefined ? notebookCommand(call) : undefined;
  const command = shellCommand ?? codeCommand ?? cellsCommand;
  if (command === undefined) {
    return undefined;
  }
  const parsed = await parseCommand({ tool: 'Bash', input: { command } }, context);
  if ('finding' in parsed) {
    return undefined;
  }
  const finding = classifyShell(parsed.shell, command, context);
  // A script reads its settings from variables it gets when run (`rsync dist/ "$TARGET"`),
  // so a path computed at run time says nothing about the script's intent.
  if (
    finding === undefined ||
    finding.rule.includes('dynamic') ||
    (codeCommand !== undefined && !countsForWrittenCode(finding, String(call.input['content']))) ||
    (cellsCommand !== undefined && !CERTAIN_CATEGORIES.test(finding.category))
  ) {
    return undefined;
  }
  const file = String(call.input['file_path'] ?? call.input['notebook_path']);
  return {
    stage: 'stage1',
    finding: {
      ...finding,
      reason:
        cellsCommand === undefined
          ? `The script written to "${file}" is judged as the command that runs it: ${finding.reason}`
          : `The notebook cells written to "${file}" are judged as the commands that run them: ${finding.reason}`,
      rule: `written-script:${finding.rule}`,
    },
  };
}

/**
 * Rules about paths, folders and targets known only at run time, such as the folder after a
 * script's `cd "$(dirname "$0")"`.
 */
const RUN_TIME_RULE = /dynamic|unknown-folder|computed-/;

/** Levels of scripts followed when a script the call runs runs another project script. */
const MAX_NESTED_SCRIPT_DEPTH = 4;
/** Bytes of script text read for one call at most, over every level. */
const MAX_NESTED_SCRIPT_BYTES = 256 * 1024;
/** Reasons of run-files.ts for a script path that cannot be placed without running the line. */
const UNPLACED_REASON = /^is (?:a glob pattern|relative to a folder that an earlier)/;

function runKey(run: RunFile): string {
  return `${run.file}#${run.description ?? ''}`;
}

/**
 * Judges the scripts and SQL files that a Bash call runs from disk as the command lines they
 * amount to (see run-files.ts), when the guard may read files. As for a written script, a
 * path or program known only at run time does not show the script's intent, and
 * interpreter code counts only for credential reads and sends. A script that exists but
 * cannot be read, or cannot be placed, is asked about.
 */
async function findRunFileDanger(
  call: ToolCall,
  context: GuardContext,
  shell: ParsedShell | undefined,
  disabled: ReadonlySet<string>,
): Promise<{ finding: Finding; stage: 'stage1' } | undefined> {
  if (shell === undefined || context.readFile === undefined || disabled.has('stage1')) {
    return undefined;
  }
  const files = filesRun(
    shell,
    {
      cwd: context.cwd,
      homeDir: context.homeDir ?? '/root',
      projectDir: context.projectDir,
      line: String(call.input['command']),
    },
    context.readFile,
  );
  const runs = files.read.map((run) => ({ run, depth: 0 }));
  const seen = new Set(files.read.map(runKey));
  let totalBytes = files.read.reduce((sum, run) => sum + run.text.length, 0);
  // The loop also visits the scripts that it appends to `runs`.
  for (const { run, depth } of runs) {
    if (run.command.trim() === '') {
      continue;
    }
    const parsed = await parseCommand({ tool: 'Bash', input: { command: run.command } }, context);
    if (run.kind === 'shell' && 'shell' in parsed && depth < MAX_NESTED_SCRIPT_DEPTH) {
      // A script that runs another project script is read too, within the same limits.
      const nested = filesRun(
        parsed.shell,
        {
          cwd: context.cwd,
          homeDir: context.homeDir ?? '/root',
          projectDir: context.projectDir,
          line: run.command,
        },
        context.readFile,
      );
      for (const next of nested.read) {
        if (seen.has(runKey(next))) {
          continue;
        }
        seen.add(runKey(next));
        totalBytes += next.text.length;
        if (totalBytes > MAX_NESTED_SCRIPT_BYTES) {
          files.unread.push({
            file: next.file,
            reason: `is run by another script after ${MAX_NESTED_SCRIPT_BYTES} bytes of scripts were read`,
          });
          continue;
        }
        runs.push({ run: next, depth: depth + 1 });
      }
      // A script whose path the nested script computes at run time is left to its own line.
      files.unread.push(...nested.unread.filter((entry) => !UNPLACED_REASON.test(entry.reason)));
    }
    const finding =
      'finding' in parsed ? undefined : classifyShell(parsed.shell, run.command, context);
    if (
      finding === undefined ||
      finding.category === 'unparsed' ||
      RUN_TIME_RULE.test(finding.rule) ||
      (run.kind === 'code' && !countsForWrittenCode(finding, run.text))
    ) {
      continue;
    }
    return {
      stage: 'stage1',
      finding: {
        ...finding,
        reason:
          run.description === undefined
            ? `The ${run.kind === 'sql' ? 'SQL file' : 'script'} "${run.file}" that the command runs is judged by its content: ${finding.reason}`
            : `The command runs ${run.description} from "${run.file}", which is judged by its text: ${finding.reason}`,
        rule: `run-file:${finding.rule}`,
      },
    };
  }
  const unread = unreadRunFileFinding(files.unread);
  return unread === undefined ? undefined : { stage: 'stage1', finding: unread };
}

/**
 * Judges text written into a file that runs later (package.json scripts, Makefile recipes,
 * build and test configs, `.pth` files), by the file tools or by a shell command, as the
 * command line it will run. Only reads of credentials and sends of local data count, as for
 * written scripts; settings that load code from outside the project are asked.
 */
async function findRunLaterDanger(
  call: ToolCall,
  context: GuardContext,
  shell: ParsedShell | undefined,
  disabled: ReadonlySet<string>,
): Promise<{ finding: Finding; stage: 'stage1' } | undefined> {
  if (disabled.has('stage1')) {
    return undefined;
  }
  const fileWrite = runLaterFileWrite(call);
  const writes =
    fileWrite !== undefined
      ? [fileWrite]
      : shell === undefined
        ? []
        : runLaterShellWrites(shell, context.cwd);
  const copy =
    shell === undefined ? undefined : runLaterCopy(shell, context.cwd, context.projectDir);
  if (copy !== undefined) {
    return {
      stage: 'stage1',
      finding: {
        category: 'unauthorized-persistence',
        reason: `The command replaces "${copy.file}", which runs later (on install, build, test or start-up), by "${copy.source}" from outside the project, whose code the guard cannot read`,
        rule: 'stage1:run-later-copy',
      },
    };
  }
  for (const { file, kind, text } of writes) {
    const config =
      kind === 'config' ? checkLoaderConfig(file, text, context.projectDir) : undefined;
    if (config !== undefined) {
      return { stage: 'stage1', finding: config };
    }
    const fetched = checkRunLaterFetch(file, kind, text, context.userMessages.join('\n'));
    if (fetched !== undefined) {
      return { stage: 'stage1', finding: fetched };
    }
    for (const { command, code, secretLines } of runLaterCommands(kind, text)) {
      const parsed = await parseCommand({ tool: 'Bash', input: { command } }, context);
      const finding =
        'finding' in parsed
          ? undefined
          : secretLines === true
            ? findSecretStepDanger(parsed.shell, command, context)
            : classifyShell(parsed.shell, command, context);
      if (
        finding !== undefined &&
        !finding.rule.includes('dynamic') &&
        (code ? countsForWrittenCode(finding, text) : RUN_LATER_CATEGORIES.test(finding.category))
      ) {
        return {
          stage: 'stage1',
          finding: {
            ...finding,
            reason: `"${file}" runs later (on install, build, test or start-up), and what is written to it is judged as the command it runs: ${finding.reason}`,
            rule: `run-later:${finding.rule}`,
          },
        };
      }
    }
  }
  return undefined;
}

/**
 * Judges step lines that expand a secret variable: printing it into the log, or sending it to
 * a host that is not its service, counts. Other findings do not, because steps pass secrets
 * to the tools that need them.
 */
function findSecretStepDanger(
  parsed: ParsedShell,
  command: string,
  context: GuardContext,
): Finding | undefined {
  const printed = secretPrintedToLog(parsed);
  if (printed !== undefined) {
    return {
      category: 'credential-leakage',
      reason: `A step prints the secret variable in "${printed}" into the job's log`,
      rule: 'stage1:secret-printed-to-log',
    };
  }
  const finding = classifyShell(parsed, command, context);
  return finding?.rule === 'stage1:secret-variable-sent' ? finding : undefined;
}

/** Categories of findings that count for a command a file runs later: reads and sends. */
const RUN_LATER_CATEGORIES = /exfiltration|credential|network-callback/;

/**
 * Checks the file and shell actions in an MCP call's arguments as the Read, Write and Bash
 * calls they amount to, and returns the first danger found, naming the argument.
 */
async function findArgumentDanger(
  call: ToolCall,
  context: GuardContext,
  disabled: ReadonlySet<string>,
  real: RealPaths | undefined,
): Promise<{ finding: Finding; stage: 'tier' | 'stage1' } | undefined> {
  if (!call.tool.startsWith('mcp__')) {
    return undefined;
  }
  for (const { argument, call: given, unbounded } of argumentCalls(call)) {
    // Path arguments are resolved through links like the file tools' paths.
    const inner =
      real === undefined || given.tool === 'Bash' ? given : realCall(given, context, real);
    const parsed = inner.tool === 'Bash' ? await parseCommand(inner, context, real) : undefined;
    const found =
      parsed !== undefined && 'finding' in parsed
        ? { finding: parsed.finding, stage: 'stage1' as const }
        : findDanger(inner, context, parsed?.shell, disabled);
    // A file server's own roots bound where it writes. A write outside the project is
    // therefore left to the checks on the tool itself, which ask. Persistence paths, agent
    // settings and credentials still count.
    if (
      found !== undefined &&
      (unbounded === true || !OUTSIDE_PROJECT_RULES.has(found.finding.rule))
    ) {
      const { finding } = found;
      return {
        stage: found.stage,
        finding: {
          ...finding,
          reason: `Argument "${argument}" of ${call.tool}: ${finding.reason}`,
          rule: `mcp-argument:${finding.rule}`,
        },
      };
    }
  }
  return undefined;
}

/** Findings on a file server's write outside the project, which the tool's own checks judge. */
const OUTSIDE_PROJECT_RULES = new Set([
  'tier:write-outside-project',
  'stage1:write-outside-project',
]);

function allowDecision(call: ToolCall, tier: Tier, rule: string | undefined): Decision {
  let stage: Decision['stage'] = 'policy';
  if (rule === undefined) {
    stage = tier === 3 ? 'stage1' : 'tier';
  }
  const decision: Decision = {
    verdict: 'allow',
    stage,
    tier,
    reason:
      rule === undefined
        ? `No check found a danger in this ${call.tool} call`
        : `Allowed by the policy rule "${rule}"`,
  };
  if (rule !== undefined) {
    decision.rule = `allow ${rule}`;
  }
  return decision;
}

/** Checks whether a finding is certain enough to deny; the rest wait for a human. */
function isCertain(finding: Finding): boolean {
  return CERTAIN_CATEGORIES.test(finding.category);
}

function blockDecision(finding: Finding, stage: 'tier' | 'stage1', tier: Tier): Decision {
  return {
    verdict: isCertain(finding) ? 'deny' : 'ask',
    stage,
    tier,
    category: finding.category,
    rule: finding.rule,
    reason: finding.reason,
  };
}

/**
 * Maximum length, in characters, of a Bash command that the guard parses. A longer command
 * gets `ask` at once, because parse time and memory grow with the length, and Claude Code runs
 * a call whose hook outlives its timeout.
 */
export const MAX_PARSED_COMMAND_CHARS = 256 * 1024;

/**
 * Parses a Bash call's command, or returns the finding that stops it unparsed: a command over
 * {@link MAX_PARSED_COMMAND_CHARS}, or one nested too deeply for the parser's stack.
 */
async function parseCommand(
  call: ToolCall,
  context: GuardContext,
  real?: RealPaths,
  depth = 0,
  nestedParses?: NestedParses,
): Promise<NestedParse> {
  const command = String(call.input['command']);
  if (command.length > MAX_PARSED_COMMAND_CHARS) {
    return {
      finding: {
        category: 'unparsed',
        reason: `The command is ${command.length} characters long, over the ${MAX_PARSED_COMMAND_CHARS} that the guard parses, so a human must review it`,
        rule: 'stage1:too-long',
      },
    };
  }
  try {
    const options = { homeDir: context.homeDir ?? '/root', cwd: context.cwd };
    const shell = await parseShell(command, options);
    await followWrittenScripts(shell, options);
    if (context.readFile !== undefined) {
      readConfigFiles(shell, options.cwd, context.readFile);
    }
    await followRemoteHeredocs(shell, options);
    followRequestConfigs(shell, options.cwd);
    followIndirectRuns(shell);
    followFindSelections(shell, context);
    await followEmbeddedActions(shell, options);
    followLineLinks(shell, context);
    if (real !== undefined) {
      realShellPaths(shell, options, real);
    }
    if (shell.nestedScripts !== undefined) {
      // One map for the whole call, so a text nested at two depths is parsed once.
      const parses = nestedParses ?? new Map();
      await parseNestedLines(shell, depth, parses, (text) =>
        parseCommand({ tool: 'Bash', input: { command: text } }, context, real, depth + 1, parses),
      );
    }
    return { shell };
  } catch (error) {
    if (error instanceof RangeError) {
      // The parser walks the syntax tree recursively, so deep nesting such as 3000 `(`
      // overflows the stack.
      return {
        finding: {
          category: 'unparsed',
          reason: `The command (${command.length} characters) nests too deeply to parse, so a human must review it`,
          rule: 'stage1:too-deep',
        },
      };
    }
    throw new SandstackError(
      'INTERNAL',
      'The bash parser failed to load or crashed; reinstall web-tree-sitter and tree-sitter-bash',
      {
        cause: error,
      },
    );
  }
}

function validateCall(call: ToolCall): Decision | undefined {
  if (call.tool === 'Bash' && typeof call.input['command'] !== 'string') {
    return {
      verdict: 'deny',
      stage: 'tier',
      tier: 3,
      category: 'invalid-input',
      rule: 'tier:invalid-input',
      reason: 'The Bash call has no string "command"; send { "command": "..." }',
    };
  }
  return undefined;
}

/**
 * Builds the default policy plus the rules of a policy file, so a user's file adds rules
 * (such as an allow rule for an internal host) and cannot drop the built-in denials.
 * @throws SandstackError `INVALID_CONFIG` naming the file when it cannot be read or parsed
 */
export function policyWithFile(file: string | undefined): Policy {
  const defaults = createPolicy(DEFAULT_POLICY_INPUT);
  if (file === undefined) {
    return defaults;
  }
  const loaded = loadPolicyFile(file);
  return { rules: [...defaults.rules, ...loaded.rules], files: loaded.files ?? [] };
}
