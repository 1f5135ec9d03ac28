/**
 * An MCP proxy in front of any stdio MCP server, built on the official TypeScript SDK. It
 * forwards tools, resources and prompts. Every tools/call is decided by the guard first, as
 * the tool `mcp__<server>__<tool>`, and a call that is not allowed returns a tool error with
 * the reason. Tool definitions that carry instructions for the model, or that change after
 * they were first seen, are hidden and their calls blocked; resources and prompts are
 * scanned the same way (see mcp-resources.ts), and so are tool results, whose text is
 * withheld when it carries instructions. Secrets are redacted from results, server
 * errors, notifications, the server's stderr and the proxy's log. A message over the size
 * limit, from either side, is discarded and fails only the request it belongs to, if any
 * (see mcp-transport.ts and mcp-agent-transport.ts).
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { SandstackError } from '../core/errors.js';
import { noopLogger, type Logger } from '../core/logger.js';
import { guardFilesOf } from './guard-files.js';
import { ApprovalQueue, waitForApproval } from './approvals.js';
import type { Finding } from './findings.js';
import { createGuard } from './guard.js';
import { resolvePolicy } from './hook.js';
import { createSqliteBackstop, deferAsk, openGuardState } from './hook-state.js';
import { AgentStdioTransport } from './mcp-agent-transport.js';
import { createToolPins, type ToolPins } from './mcp-pins.js';
import { DownstreamTransport } from './mcp-downstream.js';
import { defaultMcpSessionId } from './mcp-session.js';
import { createRedactingLogger, redactMcpStrings } from './mcp-redact.js';
import { fingerprintTool, scanToolDefinition } from './mcp-scan.js';
import { createStage2, type Stage2Options } from './stage2.js';
import { registerResourceHandlers, resourceCapabilities, scanToolResult } from './mcp-resources.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  describeExit,
  ServerProcessTransport,
  type McpServerExit,
} from './mcp-transport.js';
import type { Decision, GuardContext, ToolCall } from './types.js';

/** Options for {@link startMcpProxy}. */
export interface McpProxyOptions {
  /** Server name in tool names (`mcp__<serverName>__<tool>`), as the agent's MCP config names it. */
  serverName: string;
  /** Command that starts the MCP server on stdio. */
  command: string;
  /** @default [] */
  args?: readonly string[];
  /** Working directory of the server. @default the current directory */
  cwd?: string;
  /** Environment of the server. @default this process's environment */
  env?: Record<string, string>;
  /** SQLite file for the denial counts and the tool pins. */
  statePath: string;
  /** Policy file added to the default rules. */
  policyPath?: string;
  /** Project root for the guard. @default the current directory */
  projectDir?: string;
  /** Home directory that `~` expands to. @default $HOME, else '/root' */
  homeDir?: string;
  /** User messages the guard may weigh, such as the task the agent was given. @default [] */
  userMessages?: readonly string[];
  /**
   * Resolve `file:` URIs and path arguments through the symbolic links on this host before
   * they are judged, as the hook does, so a link in the project to `.env` is judged as `.env`.
   * Turn it off for a server whose files are not this host's, such as one that runs over
   * ssh or in a container, where this host's links do not describe its files. @default true
   */
  resolveSymlinks?: boolean;
  /**
   * Session the backstop counts denials for. @default one id per server name and project
   * folder ({@link defaultMcpSessionId}), so a restarted proxy continues the count
   */
  sessionId?: string;
  /** Approval queue for `ask`; without it `ask` returns a tool error. */
  approvals?: { path: string; timeoutMs: number };
  /** Stage-2 classifier for calls stage 1 is unsure of. */
  stage2?: Stage2Options;
  /** Transport to the agent. @default stdio of this process */
  downstream?: Transport;
  /**
   * Largest JSON-RPC message, in bytes, read from the server, read from the agent's stdio or
   * sent to the agent. A larger message fails its request with an error that names the limit.
   * @default DEFAULT_MAX_MESSAGE_BYTES (8 MiB)
   */
  maxMessageBytes?: number;
  /**
   * Receives the server's stderr, redacted, by line. A line over 64 Ki characters is cut.
   * @default this process's stderr
   */
  writeServerStderr?: (text: string) => void;
  /** Receives every line with secrets redacted. @default a no-op logger */
  logger?: Logger;
}

/** A running proxy. */
export interface McpProxy {
  /** Session id the backstop counts denials for. */
  sessionId: string;
  /** Resolves when either side has closed and the server process is gone. */
  closed: Promise<McpProxyEnd>;
  close(): Promise<void>;
}

/** The end of a proxy: a close or the exit of the server. */
export interface McpProxyEnd {
  /**
   * The server's exit code or signal and its last stderr lines when the server exited on its
   * own, which stops the proxy. Undefined when `close()` was called or the agent closed the
   * connection.
   */
  serverExit?: McpServerExit;
}

interface KnownTool {
  definition: Tool;
  /** Finding that hides the tool and blocks its calls. */
  blocked?: Finding;
}

/**
 * Starts the MCP server and serves it, guarded, on `options.downstream`.
 *
 * @throws SandstackError `RUNTIME_UNAVAILABLE` when the server cannot be started or does
 * not complete the MCP handshake.
 *
 * @example
 * const proxy = await startMcpProxy({
 *   serverName: 'fs',
 *   command: 'npx',
 *   args: ['@modelcontextprotocol/server-filesystem', '/workspace'],
 *   statePath: '.sandstack/guard.db',
 * });
 * await proxy.closed;
 */
export async function startMcpProxy(options: McpProxyOptions): Promise<McpProxy> {
  const logger = createRedactingLogger(
    (options.logger ?? noopLogger).child({ server: options.serverName }),
  );
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { client: upstream, transport: serverTransport } = await connectUpstream(
    options,
    maxMessageBytes,
    logger,
  );
  const db = openGuardState(path.resolve(options.statePath));
  const pins = createToolPins(db);
  const sessionId =
    options.sessionId ??
    defaultMcpSessionId(options.serverName, options.projectDir ?? process.cwd());
  // Aborted when the proxy closes, so that calls waiting for approval stop waiting.
  const stopping = new AbortController();
  const decide = createDecider(options, db, sessionId, stopping.signal);
  const tools = new Map<string, KnownTool>();

  const refreshTools = async (): Promise<void> => {
    const definitions = await listAllTools(upstream);
    tools.clear();
    for (const definition of definitions) {
      const blocked = checkDefinition(options.serverName, definition, pins);
      if (blocked !== undefined) {
        logger.warn('MCP tool blocked', { tool: definition.name, rule: blocked.rule });
      }
      tools.set(definition.name, blocked === undefined ? { definition } : { definition, blocked });
    }
  };
  await refreshTools();

  const server = new Server(
    { name: `sandstack-guard/${options.serverName}`, version: '0.1.0' },
    {
      capabilities: { tools: { listChanged: true }, ...resourceCapabilities(upstream) },
      ...instructionsOf(upstream, logger),
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    await refreshTools();
    const visible = [...tools.values()].filter((tool) => tool.blocked === undefined);
    return { tools: visible.map((tool) => tool.definition) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    if (!tools.has(name)) {
      await refreshTools();
    }
    const known = tools.get(name);
    if (known === undefined) {
      return toolError(`The MCP server "${options.serverName}" has no tool "${name}"`);
    }
    if (known.blocked !== undefined) {
      return toolError(describe(known.blocked));
    }
    const decision = await decide({ tool: `mcp__${options.serverName}__${name}`, input: args });
    logger.info('MCP call decided', { tool: name, verdict: decision.verdict, rule: decision.rule });
    if (decision.verdict !== 'allow') {
      return toolError(describe(decision));
    }
    try {
      const result = redactResult(
        (await upstream.callTool({ name, arguments: args })) as CallToolResult,
      );
      // A result is text the model reads next, so instructions in it are withheld as they
      // are in resource contents.
      const injected = scanToolResult(name, result);
      if (injected !== undefined) {
        logger.warn('MCP tool result withheld', { tool: name, rule: injected.rule });
        return toolError(describe(injected));
      }
      return result;
    } catch (error) {
      // The SDK returns the error to the agent as a JSON-RPC error. The transport redacted
      // the server's message already, and the logger redacts again.
      logger.error('MCP call failed', { tool: name, error: String(error) });
      throw forwardedError(error);
    }
  });
  upstream.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
    await refreshTools();
    await server.sendToolListChanged();
  });
  registerResourceHandlers({
    serverName: options.serverName,
    upstream,
    server,
    decide,
    redact: redactMcpStrings,
    describe,
    logger,
  });

  upstream.onerror = countedErrorLog(logger, 'MCP server connection error');
  server.onerror = countedErrorLog(logger, 'MCP agent connection error');

  const agent = options.downstream ?? new AgentStdioTransport({ maxMessageBytes, logger });
  const downstream = new DownstreamTransport(agent, { maxMessageBytes, logger });
  logger.info('MCP proxy started', { sessionId });
  return serve({ server, upstream, serverTransport, downstream, sessionId, stopping });
}

async function connectUpstream(
  options: McpProxyOptions,
  maxMessageBytes: number,
  logger: Logger,
): Promise<{ client: Client; transport: ServerProcessTransport }> {
  const client = new Client({ name: 'sandstack-guard', version: '0.1.0' });
  const transport = new ServerProcessTransport({
    command: options.command,
    args: options.args ?? [],
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? stringEnv(process.env),
    maxMessageBytes,
    logger,
    writeStderr: options.writeServerStderr ?? ((text) => void process.stderr.write(text)),
  });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new SandstackError(
      'RUNTIME_UNAVAILABLE',
      `Could not start the MCP server "${[options.command, ...(options.args ?? [])].join(' ')}": ${message}; check that the command runs an MCP server on stdio`,
      { cause: error },
    );
  }
  return { client, transport };
}

async function listAllTools(client: Client): Promise<Tool[]> {
  if (client.getServerCapabilities()?.tools === undefined) {
    return [];
  }
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

/** Returns why the definition must be hidden: injected instructions or a changed pin. */
function checkDefinition(server: string, tool: Tool, pins: ToolPins): Finding | undefined {
  const poisoned = scanToolDefinition(tool);
  if (poisoned !== undefined) {
    return poisoned;
  }
  const pin = pins.check(server, tool.name, fingerprintTool(tool));
  if (pin.status !== 'changed') {
    return undefined;
  }
  return {
    category: 'tool-changed',
    reason: `The definition of the MCP tool "${tool.name}" changed since it was first seen on ${pin.pin.firstSeen}, so the proxy hides the tool and blocks its calls; review the new definition and run "sandstack guard pins forget ${server} ${tool.name}" to trust it`,
    rule: 'mcp-pin:changed',
  };
}

/** Server instructions reach the model too, so poisoned ones are dropped. */
function instructionsOf(client: Client, logger: Logger): { instructions?: string } {
  const instructions = client.getInstructions();
  if (instructions === undefined) {
    return {};
  }
  const finding = scanToolDefinition({ name: '(instructions)', description: instructions });
  if (finding !== undefined) {
    logger.warn('MCP server instructions dropped', { rule: finding.rule });
    return {};
  }
  return { instructions };
}

type Decide = (call: ToolCall) => Promise<Decision>;

function createDecider(
  options: McpProxyOptions,
  db: ReturnType<typeof openGuardState>,
  sessionId: string,
  signal: AbortSignal,
): Decide {
  const backstop = deferAsk(createSqliteBackstop(db));
  const guard = createGuard({
    policy: resolvePolicy(options.policyPath),
    backstop,
    sessionId,
    ...(options.stage2 === undefined ? {} : { stage2: createStage2(options.stage2) }),
  });
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const context: GuardContext = {
    projectDir,
    cwd: projectDir,
    homeDir: options.homeDir ?? process.env['HOME'] ?? '/root',
    userMessages: options.userMessages ?? [],
    guardFiles: guardFilesOf([options.policyPath, options.statePath, options.approvals?.path]),
    resolveSymlinks: options.resolveSymlinks ?? true,
  };
  const queue =
    options.approvals === undefined ? undefined : ApprovalQueue.open(options.approvals.path);

  return async (call) => {
    const decision = await guard.decide(call, context);
    if (decision.verdict !== 'ask') {
      return decision;
    }
    // MCP has no "ask", so without a queue the call is refused with the reason.
    const final =
      queue === undefined || options.approvals === undefined
        ? {
            ...decision,
            verdict: 'deny' as const,
            reason: `${decision.reason}; a human must approve this call, and the proxy has no approval queue (start it with --approvals)`,
          }
        : await waitForApproval(queue, {
            call,
            decision,
            sessionId,
            timeoutMs: options.approvals.timeoutMs,
            signal,
          });
    backstop.record(sessionId, final);
    return final;
  };
}

/**
 * Maximum wait, after the server has gone, for replies to the agent's pending requests.
 * Calls that were at the server get the error at once, and a call still unanswered after
 * the wait, such as one waiting for approval, gets an error from the proxy.
 */
const ANSWER_PENDING_TIMEOUT_MS = 5000;

function serve(parts: {
  server: Server;
  upstream: Client;
  serverTransport: ServerProcessTransport;
  downstream: DownstreamTransport;
  sessionId: string;
  stopping: AbortController;
}): Promise<McpProxy> {
  const { server, upstream, serverTransport, downstream, sessionId, stopping } = parts;
  let resolveClosed: (end: McpProxyEnd) => void = () => undefined;
  const closed = new Promise<McpProxyEnd>((resolve) => {
    resolveClosed = resolve;
  });
  let closing = false;
  const close = async (serverGone = false): Promise<void> => {
    if (closing) {
      await closed;
      return;
    }
    closing = true;
    const exit = serverTransport.exit;
    const serverExit = serverGone && exit !== undefined && !exit.requested ? exit : undefined;
    if (serverGone) {
      await downstream.answered(ANSWER_PENDING_TIMEOUT_MS);
      const ended = exit === undefined ? 'closed its connection' : describeExit(exit);
      await downstream
        .failPending(
          `The MCP server ${ended} before the proxy could reply, so the proxy stops; see the server's output on stderr and restart the proxy`,
        )
        .catch(() => undefined);
    }
    stopping.abort();
    await server.close().catch(() => undefined);
    await upstream.close().catch(() => undefined);
    resolveClosed(serverExit === undefined ? {} : { serverExit });
  };
  server.onclose = () => void close();
  upstream.onclose = () => void close(true);
  return server.connect(downstream).then(() => ({ sessionId, closed, close: () => close() }));
}

function describe(finding: Finding | Decision): string {
  const details = [finding.category, finding.rule].filter((part) => part !== undefined);
  return `sandstack guard: ${finding.reason} [${details.join('; ')}]`;
}

/**
 * Returns an error from the server as the proxy throws it on: the server's code, message and
 * data, without the "MCP error <code>: " prefix that the SDK's client added, because the
 * agent's client adds it again.
 */
function forwardedError(error: unknown): unknown {
  if (!(error instanceof McpError)) {
    return error;
  }
  const prefix = `MCP error ${error.code}: `;
  const message = error.message.startsWith(prefix)
    ? error.message.slice(prefix.length)
    : error.message;
  return Object.assign(new Error(message), { code: error.code, data: error.data as unknown });
}

/** Number of connection errors logged one by one. After that, every hundredth is logged. */
const MAX_ERRORS_LOGGED = 20;

/** Returns an error handler that logs to `logger`, counting repeats past the first few. */
function countedErrorLog(logger: Logger, message: string): (error: Error) => void {
  let count = 0;
  return (error) => {
    count += 1;
    if (count <= MAX_ERRORS_LOGGED || count % 100 === 0) {
      logger.warn(message, { error: String(error), count });
    }
  };
}

function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** Redacts secrets from every string of the result; types and structure stay as they were. */
function redactResult(result: CallToolResult): CallToolResult {
  return redactMcpStrings(result);
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
