import { userInfo } from 'node:os';
import path from 'node:path';
import type { Command, CommanderError } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { ApprovalQueue, type ApprovalRequest, type ApprovalStatus } from '../../guard/approvals.js';
import {
  CASE_FORMAT_HELP,
  evaluateGuard,
  loadCases,
  type EvalReport,
  type Rate,
} from '../../guard/eval.js';
import { createGuard, policyWithFile } from '../../guard/guard.js';
import { createFileReader } from '../../guard/file-reader.js';
import { HOOK_BLOCKING_EXIT_CODE } from '../../guard/hook.js';
import { decideHookCall } from '../../guard/hook-client.js';
import { hookSocketPath, startHookDaemon } from '../../guard/hook-daemon.js';
import {
  resolveHookOptions,
  resolveStateDir,
  type HookCommandOptions,
  type ResolvedHookOptions,
} from '../../guard/hook-options.js';
import { createSqliteBackstop, openGuardState } from '../../guard/hook-state.js';
import { createToolPins } from '../../guard/mcp-pins.js';
import { startMcpProxy } from '../../guard/mcp-proxy.js';
import { describeExit, type McpServerExit } from '../../guard/mcp-transport.js';
import { createJsonLogger } from '../../core/logger.js';
import type { Verdict } from '../../guard/types.js';
import { escapeControl, printJson, printLine } from '../output.js';
import { openRemote, rejectLocalOptions } from '../remote.js';

/**
 * Exit codes of `sandstack guard check`, one per verdict, so a script or CI job can gate on
 * the decision without parsing output. 1 and 2 stay the CLI-wide codes for invalid input
 * and for a failure of sandstack itself.
 */
export const CHECK_EXIT_CODES: Readonly<Record<Verdict, number>> = { allow: 0, deny: 3, ask: 4 };

const CHECK_HELP = `
The guard resolves symbolic links on this host and reads the scripts, SQL files, request
configs and batch files a Bash call runs from the project (regular files of at most 64 KiB).

Exit codes:
  0  allow: the call may run on its own
  1  invalid input, such as --input that is not a JSON object or an unreadable --policy file
  2  the guard itself failed
  3  deny: the call must not run
  4  ask: a human must approve the call first`;

interface CheckOptions {
  tool: string;
  input: string;
  userMessage: string[];
  projectDir?: string;
  cwd?: string;
  home?: string;
  policy?: string;
  json?: boolean;
}

type HookOptions = Omit<HookCommandOptions, 'stateDir'>;

const EXAMPLE_CASE = JSON.stringify({
  id: 'c1',
  tool: 'Bash',
  input: { command: 'npm test' },
  cwd: '/home/dev/project',
  project_dir: '/home/dev/project',
  user_messages: ['Run the tests.'],
  label: 'allow',
  category: 'benign',
});

/** Registers the `sandstack guard` commands: check, eval, hook, daemon, approvals, mcp, pins and session. */
export function register(program: Command): void {
  const guard = program
    .command('guard')
    .description(
      'Check proposed tool calls, guard Claude Code and MCP servers, and measure the guard',
    );

  guard
    .command('check')
    .description('Decide whether one tool call may run on its own')
    .requiredOption('--tool <name>', 'tool name, such as Bash, Read, Write or mcp__server__tool')
    .requiredOption('--input <json>', 'tool input as JSON, such as \'{"command":"ls"}\'')
    .option(
      '--user-message <text>',
      'a user message of the session (repeat for several)',
      collect,
      [],
    )
    .option('--project-dir <dir>', 'project root (default: the current directory)')
    .option('--cwd <dir>', 'working directory of the call (default: the project root)')
    .option('--home <dir>', 'home directory that ~ expands to (default: $HOME)')
    .option(
      '--policy <file>',
      'policy file (YAML or JSON, or a Claude Code settings.json) added to the default rules',
    )
    .option('--json', 'print the decision as JSON')
    .addHelpText('after', CHECK_HELP)
    .action(async (options: CheckOptions) => {
      const input = parseInput(options.input);
      const projectDir = path.resolve(options.projectDir ?? process.cwd());
      const guardInstance = createGuard({ policy: policyWithFile(options.policy) });
      const decision = await guardInstance.decide(
        { tool: options.tool, input },
        {
          projectDir,
          cwd: path.resolve(projectDir, options.cwd ?? '.'),
          homeDir: options.home ?? process.env['HOME'] ?? '/root',
          userMessages: options.userMessage,
          resolveSymlinks: true,
          readFile: createFileReader([projectDir]),
        },
      );
      process.exitCode = CHECK_EXIT_CODES[decision.verdict];
      if (options.json === true) {
        printJson(decision);
        return;
      }
      printLine(`${decision.verdict} (${decision.stage}, tier ${decision.tier})`);
      printLine(decision.reason);
      if (decision.category !== undefined) {
        printLine(`category: ${decision.category}`);
      }
      if (decision.rule !== undefined) {
        printLine(`rule: ${decision.rule}`);
      }
    });

  guard
    .command('eval')
    .description('Run the guard over a labelled JSON Lines file and print FPR and FNR')
    .argument('<file>', 'labelled cases, one JSON object per line (JSON Lines)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', `\nCase format:\n${CASE_FORMAT_HELP}\n\nExample line:\n  ${EXAMPLE_CASE}`)
    .action(async (file: string, options: { json?: boolean }) => {
      const cases = loadCases(file);
      const report = await evaluateGuard(cases, () => createGuard());
      const alone = {
        policy: await evaluateGuard(cases, () => createGuard({ disable: ['tier', 'stage1'] })),
        'policy+tiers': await evaluateGuard(cases, () => createGuard({ disable: ['stage1'] })),
      };
      if (options.json === true) {
        printJson({ ...report, stagesAlone: alone });
        return;
      }
      printReport(report);
      printLine('Checks on their own (the rest allow everything):');
      for (const [name, partial] of Object.entries(alone)) {
        printLine(
          `  ${name.padEnd(13)} FPR ${formatRate(partial.fpr)}, FNR ${formatRate(partial.fnr)}`,
        );
      }
    });

  registerHook(guard);
  registerDaemon(guard);
  registerApprovals(guard);
  registerMcp(guard);
  registerPins(guard);
  registerSession(guard);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds the options that settle how hook calls are decided. The hook and the daemon take the
 * same ones, because a daemon serves only hooks whose settings equal its own.
 */
function withDecisionOptions(
  command: Command,
  help: { projectDir: string; approvals: string },
): Command {
  return command
    .option(
      '--state <file>',
      'SQLite file with per-session denial counts (default: guard.db in the state dir, which sits in $CLAUDE_PROJECT_DIR when set)',
    )
    .option(
      '--policy <file>',
      'policy file (YAML or JSON, or a Claude Code settings.json) added to the default rules',
    )
    .option('--project-dir <dir>', help.projectDir)
    .option('--home <dir>', 'home directory that ~ expands to (default: $HOME)')
    .option('--stage2-provider <name>', 'stage-2 classifier API: openai or anthropic')
    .option('--stage2-url <url>', 'stage-2 base URL, such as http://127.0.0.1:8080/v1')
    .option(
      '--stage2-model <name>',
      'stage-2 model name; the API key comes from $SANDSTACK_STAGE2_API_KEY',
    )
    .option('--approvals <file>', help.approvals)
    .option(
      '--approval-timeout <seconds>',
      "seconds to wait for a human before denying; keep it below the hook's timeout (default: 45)",
    );
}

function registerHook(guard: Command): void {
  withDecisionOptions(guard.command('hook'), {
    projectDir: "project root (default: $CLAUDE_PROJECT_DIR, else the hook's cwd)",
    approvals:
      'approval queue (SQLite file) that "ask" calls wait in; without it Claude Code prompts the user',
  })
    .description(
      'Decide one Claude Code PreToolUse call: read the hook JSON on stdin and print the decision',
    )
    .option('--socket <path>', 'guard daemon socket (default: guard.sock in the state dir)')
    .option(
      '--hook-timeout <seconds>',
      "this hook's timeout in Claude Code's settings; a daemon that has not answered 5 s before it blocks the call (default: 60)",
    )
    .option('--no-daemon', 'decide in this process even when a guard daemon is running')
    // Claude Code lets a call through on any exit code but 0 and 2, so a bad flag must exit 2.
    .exitOverride(exitBlocking)
    .action(async (options: HookOptions, command: Command) => {
      process.on('uncaughtException', (error) => {
        process.stderr.write(`sandstack guard: The hook failed: ${String(error)}\n`);
        process.exit(HOOK_BLOCKING_EXIT_CODE);
      });
      let stdin: string;
      let resolved: ResolvedHookOptions;
      try {
        resolved = resolveHookOptions({ ...options, stateDir: globalStateDir(command) });
        stdin = await readStdin();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`sandstack guard: ${message}\n`);
        process.exitCode = HOOK_BLOCKING_EXIT_CODE;
        return;
      }
      const result = await decideHookCall(stdin, resolved.settings, {
        socketPath: resolved.socketPath,
        hookTimeoutMs: resolved.hookTimeoutMs,
      });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}

function registerDaemon(guard: Command): void {
  withDecisionOptions(guard.command('daemon'), {
    projectDir: 'project root (default: $CLAUDE_PROJECT_DIR, else the current directory)',
    approvals: 'approval queue (SQLite file) that "ask" calls wait in',
  })
    .description(
      'Serve hook calls on a unix socket that only this user can reach, so each hook call skips loading the guard. Give it the same options as the hook: a hook whose settings differ decides in its own process',
    )
    .option('--socket <path>', 'socket path (default: guard.sock in the state dir)')
    .action(async (options: HookOptions, command: Command) => {
      const projectDir =
        options.projectDir ?? (process.env['CLAUDE_PROJECT_DIR'] || undefined) ?? process.cwd();
      const resolved = resolveHookOptions({
        ...options,
        projectDir,
        stateDir: globalStateDir(command),
        daemon: true,
      });
      const socketPath =
        resolved.socketPath ?? hookSocketPath(resolveStateDir(globalStateDir(command)));
      const daemon = await startHookDaemon(socketPath, {
        settings: resolved.settings,
        logger: createJsonLogger((line) => process.stderr.write(line)),
      });
      printLine(`Guard daemon listening on ${daemon.socketPath}; stop it with Ctrl-C or SIGTERM`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void daemon.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** Why `--queue` does not apply with a server. */
const QUEUE_ON_SERVER = "the server's queue is approvals.db in its state folder";

function registerApprovals(guard: Command): void {
  const approvals = guard
    .command('approvals')
    .description('List, approve and deny the tool calls waiting in the approval queue');
  const queueOption = [
    '--queue <file>',
    'approval queue SQLite file (default: approvals.db in the state dir)',
  ] as const;

  approvals
    .command('list')
    .description('List approval requests, newest first')
    .option(...queueOption)
    .option(
      '--status <status>',
      'only requests in this state: pending, approved, denied or expired',
    )
    .option('--json', 'print the requests as JSON')
    .action(
      async (options: { queue?: string; status?: string; json?: boolean }, command: Command) => {
        const filter =
          options.status === undefined ? {} : { status: options.status as ApprovalStatus };
        const remote = openRemote(command);
        if (remote !== undefined) {
          rejectLocalOptions(command, ['queue'], QUEUE_ON_SERVER);
        }
        const requests =
          remote === undefined
            ? await openApprovalQueue(options.queue, command).list(filter)
            : await remote.call((client) => client.approvals.list(filter));
        if (options.json === true) {
          printJson(requests);
          return;
        }
        if (requests.length === 0) {
          printLine('No approval requests');
          return;
        }
        for (const request of requests) {
          printApproval(request);
        }
      },
    );

  for (const verdict of ['approve', 'deny'] as const) {
    approvals
      .command(verdict)
      .description(verdict === 'approve' ? 'Approve a pending request' : 'Deny a pending request')
      .argument('<id>', 'request id from "sandstack guard approvals list"')
      .option(...queueOption)
      .option(
        '--by <name>',
        'name of who decides (default: the current user name); a sandstack server keeps it as a label and records the token that decided',
      )
      .option('--note <text>', 'note kept with the decision')
      .option('--json', 'print the decided request as JSON')
      .action(
        async (
          id: string,
          options: { queue?: string; by?: string; note?: string; json?: boolean },
          command: Command,
        ) => {
          const decision = {
            by: options.by ?? userInfo().username,
            ...(options.note === undefined ? {} : { note: options.note }),
          };
          const remote = openRemote(command);
          let decided: ApprovalRequest;
          if (remote === undefined) {
            const queue = openApprovalQueue(options.queue, command);
            decided =
              verdict === 'approve'
                ? await queue.approve(id, decision)
                : await queue.deny(id, decision);
          } else {
            rejectLocalOptions(command, ['queue'], QUEUE_ON_SERVER);
            decided = await remote.call((client) => client.approvals[verdict](id, decision));
          }
          if (options.json === true) {
            printJson(decided);
            return;
          }
          printLine(`Request ${decided.id} ${decided.status}`);
        },
      );
  }
}

function openApprovalQueue(file: string | undefined, command: Command): ApprovalQueue {
  const queuePath = file ?? path.join(resolveStateDir(globalStateDir(command)), 'approvals.db');
  return ApprovalQueue.open(path.resolve(queuePath));
}

function printApproval(request: ApprovalRequest): void {
  const tool = escapeControl(request.tool);
  printLine(`${escapeControl(request.id)}  ${request.status}  ${tool}  ${request.createdAt}`);
  printLine(`  input: ${JSON.stringify(request.input)}`);
  printLine(`  reason: ${escapeControl(request.reason)}`);
  if (request.sessionId !== null) {
    printLine(`  session: ${escapeControl(request.sessionId)}`);
  }
  if (request.decidedBy !== null) {
    const note = request.note === null ? '' : `: ${escapeControl(request.note)}`;
    printLine(`  decided by ${escapeControl(request.decidedBy)}${note}`);
  }
}

interface McpOptions extends HookOptions {
  name?: string;
  userMessage: string[];
  session?: string;
  /** False with `--no-resolve-symlinks`. */
  resolveSymlinks: boolean;
}

function registerMcp(guard: Command): void {
  guard
    .command('mcp')
    .description(
      'Serve a stdio MCP server through the guard: sandstack guard mcp --name <server> -- <command> [args...]',
    )
    .argument('<command>', 'command that starts the MCP server on stdio')
    .argument(
      '[args...]',
      'its arguments; put -- before the command so they are not read as options',
    )
    .option(
      '--name <server>',
      'server name for the policy (mcp__<server>__<tool>), as the agent config names it (default: from the command)',
    )
    .option(
      '--state <file>',
      'SQLite file for denial counts and tool pins (default: guard.db in the state dir)',
    )
    .option(
      '--policy <file>',
      'policy file (YAML or JSON, or a Claude Code settings.json) added to the default rules',
    )
    .option(
      '--project-dir <dir>',
      'project root (default: $CLAUDE_PROJECT_DIR, else the current directory)',
    )
    .option('--home <dir>', 'home directory that ~ expands to (default: $HOME)')
    .option(
      '--user-message <text>',
      'a user message the guard may weigh, such as the task (repeat for several)',
      collect,
      [],
    )
    .option(
      '--session <id>',
      'session id for the denial backstop (default: one per server name and project, so a restarted proxy continues the count)',
    )
    .option('--approvals <file>', 'approval queue (SQLite file) that "ask" calls wait in')
    .option(
      '--approval-timeout <seconds>',
      'seconds to wait for a human before denying (default: 45)',
    )
    .option(
      '--no-resolve-symlinks',
      'judge file: URIs and path arguments as written, without resolving symbolic links on this host (for a server whose files are on another host or in a container)',
    )
    .option('--stage2-provider <name>', 'stage-2 classifier API: openai or anthropic')
    .option('--stage2-url <url>', 'stage-2 base URL, such as http://127.0.0.1:8080/v1')
    .option(
      '--stage2-model <name>',
      'stage-2 model name; the API key comes from $SANDSTACK_STAGE2_API_KEY',
    )
    .action(
      async (serverCommand: string, args: string[], options: McpOptions, command: Command) => {
        const { settings } = resolveHookOptions({
          ...options,
          stateDir: globalStateDir(command),
          daemon: false,
        });
        const proxy = await startMcpProxy({
          serverName: options.name ?? serverNameOf(serverCommand, args),
          command: serverCommand,
          args,
          statePath: settings.statePath,
          userMessages: options.userMessage,
          resolveSymlinks: options.resolveSymlinks,
          logger: createJsonLogger((line) => process.stderr.write(line)),
          ...(settings.policyPath === undefined ? {} : { policyPath: settings.policyPath }),
          ...(settings.projectDir === undefined ? {} : { projectDir: settings.projectDir }),
          ...(settings.homeDir === undefined ? {} : { homeDir: settings.homeDir }),
          ...(options.session === undefined ? {} : { sessionId: options.session }),
          ...(settings.approvals === undefined ? {} : { approvals: settings.approvals }),
          ...(settings.stage2 === undefined
            ? {}
            : {
                stage2: { ...settings.stage2, apiKey: process.env['SANDSTACK_STAGE2_API_KEY'] },
              }),
        });
        const stop = (): void => void proxy.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const { serverExit } = await proxy.closed;
        if (serverExit !== undefined) {
          throw new SandstackError('RUNTIME_UNAVAILABLE', serverExitMessage(serverExit), {
            details: { code: serverExit.code, signal: serverExit.signal },
          });
        }
      },
    );
}

/**
 * Describes a server that exited on its own, with the last lines of its stderr, which the
 * transport redacted. Control characters are escaped, because the lines come from the server.
 */
function serverExitMessage(exit: McpServerExit): string {
  const head = `The MCP server ${describeExit(exit)} while the proxy was serving it, so the proxy stopped`;
  if (exit.stderrTail.length === 0) {
    return `${head}; the server wrote nothing to stderr`;
  }
  const lines = exit.stderrTail.map((line) => `  ${escapeControl(line)}`);
  return [`${head}. The last lines of its stderr, redacted:`, ...lines].join('\n');
}

/**
 * Derives a server name from the command: its file name, or for an interpreter or package
 * runner (node, npx, uvx, ...) the first argument that is not an option.
 */
function serverNameOf(serverCommand: string, args: readonly string[]): string {
  const runners = /^(?:node|nodejs|npx|pnpx|bunx|bun|deno|uvx|uv|python3?|pipx|docker)$/;
  let name = path.basename(serverCommand);
  if (runners.test(name)) {
    const target = args.find((arg) => !arg.startsWith('-') && arg !== 'run');
    name = target === undefined ? name : path.basename(target).replace(/^@[^/]+\//, '');
  }
  return name.replace(/\.(?:m?js|ts|py)$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
}

function registerPins(guard: Command): void {
  const pins = guard
    .command('pins')
    .description('List and forget the MCP tool definitions the proxy pinned when first seen');
  const stateOption = [
    '--state <file>',
    'SQLite file of the proxy (default: guard.db in the state dir)',
  ] as const;

  pins
    .command('list')
    .description('List pinned tool definitions')
    .argument('[server]', 'only this server')
    .option(...stateOption)
    .option('--json', 'print the pins as JSON')
    .action(
      (
        server: string | undefined,
        options: { state?: string; json?: boolean },
        command: Command,
      ) => {
        const rows = createToolPins(openGuardState(sessionStatePath(options.state, command))).list(
          server,
        );
        if (options.json === true) {
          printJson(rows);
          return;
        }
        if (rows.length === 0) {
          printLine('No pinned tools');
          return;
        }
        for (const pin of rows) {
          printLine(
            `${escapeControl(`mcp__${pin.server}__${pin.tool}`)}  ${pin.fingerprint.slice(0, 12)}  first seen ${pin.firstSeen}`,
          );
        }
      },
    );

  pins
    .command('forget')
    .description('Forget pins, so the next definition the proxy sees is trusted and pinned')
    .argument('<server>', 'server name')
    .argument('[tool]', 'tool name (default: every tool of the server)')
    .option(...stateOption)
    .action(
      (server: string, tool: string | undefined, options: { state?: string }, command: Command) => {
        const removed = createToolPins(
          openGuardState(sessionStatePath(options.state, command)),
        ).forget(server, tool);
        if (removed === 0) {
          throw new SandstackError(
            'NOT_FOUND',
            `No pin for ${tool === undefined ? `server "${server}"` : `tool "${tool}" of server "${server}"`}; run "sandstack guard pins list" to see them`,
          );
        }
        printLine(`Forgot ${removed} pin${removed === 1 ? '' : 's'}`);
      },
    );
}

function registerSession(guard: Command): void {
  const session = guard
    .command('session')
    .description('List and reset the denial counts that the hook keeps per session');

  session
    .command('list')
    .description('List sessions with their denial counts, most recent first')
    .option('--state <file>', 'SQLite file of the hook (default: guard.db in the state dir)')
    .option('--json', 'print the sessions as JSON')
    .action((options: { state?: string; json?: boolean }, command: Command) => {
      const backstop = createSqliteBackstop(
        openGuardState(sessionStatePath(options.state, command)),
      );
      const sessions = backstop.list();
      if (options.json === true) {
        printJson(sessions);
        return;
      }
      if (sessions.length === 0) {
        printLine('No sessions recorded');
        return;
      }
      for (const row of sessions) {
        const status = row.halted ? 'halted' : 'running';
        printLine(
          `${escapeControl(row.sessionId)}  ${status}  ${row.consecutive} in a row, ${row.total} total  ${row.updatedAt}`,
        );
      }
    });

  session
    .command('reset')
    .description('Clear the denial counts of a session, which resumes a halted session')
    .argument('<session-id>', 'session id from "sandstack guard session list"')
    .option('--state <file>', 'SQLite file of the hook (default: guard.db in the state dir)')
    .action((sessionId: string, options: { state?: string }, command: Command) => {
      const backstop = createSqliteBackstop(
        openGuardState(sessionStatePath(options.state, command)),
      );
      const before = backstop.state(sessionId);
      if (before.total === 0 && before.consecutive === 0 && !before.halted) {
        throw new SandstackError(
          'NOT_FOUND',
          `Session "${sessionId}" has no denials recorded; run "sandstack guard session list" to see the sessions`,
        );
      }
      backstop.reset(sessionId);
      printLine(`Session ${sessionId} reset (it had ${before.total} denials)`);
    });
}

function exitBlocking(error: CommanderError): never {
  if (error.exitCode === 0) {
    process.exit(0);
  }
  process.exit(HOOK_BLOCKING_EXIT_CODE);
}

function globalStateDir(command: Command): string | undefined {
  return command.optsWithGlobals<{ stateDir?: string }>().stateDir;
}

/** Resolves the hook's state file the way `sandstack guard hook` does. */
function sessionStatePath(state: string | undefined, command: Command): string {
  return resolveHookOptions({ state, stateDir: globalStateDir(command), daemon: false }).settings
    .statePath;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'No hook input: stdin is a terminal; run this command as a Claude Code PreToolUse hook, which writes the hook JSON to stdin',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --input ${JSON.stringify(text)}: not JSON; pass an object such as '{"command":"ls"}'`,
      {
        cause: error,
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --input ${JSON.stringify(text)}: pass a JSON object, such as '{"command":"ls"}'`,
    );
  }
  return value as Record<string, unknown>;
}

function formatRate(rate: Rate): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  return `${rate.errors}/${rate.total} = ${percent(rate.rate)} (95% CI ${percent(rate.low)}–${percent(rate.high)})`;
}

function printReport(report: EvalReport): void {
  printLine(`benign ${report.benign}, dangerous ${report.dangerous}`);
  printLine(`FPR ${formatRate(report.fpr)}`);
  printLine(`FNR ${formatRate(report.fnr)}`);
  printLine();
  printLine('FNR per category:');
  for (const [category, rate] of Object.entries(report.byCategory).sort()) {
    printLine(`  ${category.padEnd(28)} ${formatRate(rate)}`);
  }
  printLine('FNR per trick:');
  for (const [trick, rate] of Object.entries(report.byTrick).sort()) {
    printLine(`  ${trick.padEnd(28)} ${formatRate(rate)}`);
  }
  printLine('Per deciding stage:');
  for (const [stage, row] of Object.entries(report.byStage)) {
    printLine(
      `  ${stage.padEnd(10)} decided ${row.decided}, false positives ${row.falsePositives}, false negatives ${row.falseNegatives}`,
    );
  }
  printLine('Confusion (label → verdict):');
  for (const [label, row] of Object.entries(report.confusion)) {
    printLine(
      `  ${label.padEnd(6)} allow ${row.allow}, deny ${row.deny}, ask ${row.ask}, error ${row.error}`,
    );
  }
  printLine(`Wrong: ${report.wrong.length === 0 ? 'none' : report.wrong.join(' ')}`);
}
