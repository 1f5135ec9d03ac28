/**
 * Resources and prompts for the MCP proxy: lists are forwarded with the entries whose
 * descriptions carry instructions for the model left out (the same scan as for tool
 * definitions), reads and prompt gets go through the guard first, and the upstream
 * server's change notifications are passed on.
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ReadResourceRequestSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/logger.js';
import type { Finding } from './findings.js';
import { decodePercentFully } from './mcp-arguments.js';
import { scanToolDefinition } from './mcp-scan.js';
import type { Decision, ToolCall } from './types.js';

/** What the resource and prompt handlers need from the proxy. */
export interface ResourceProxyOptions {
  serverName: string;
  upstream: Client;
  server: Server;
  /** Decides a call as the guard does for tool calls, approvals included. */
  decide: (call: ToolCall) => Promise<Decision>;
  /** Redacts secrets from every string of a result. */
  redact: <T>(value: T) => T;
  /** Formats a finding or decision as the text an agent sees. */
  describe: (finding: Finding | Decision) => string;
  logger: Logger;
}

/**
 * Returns the resource and prompt capabilities to announce downstream: those the upstream
 * server has, so an agent never asks the proxy for something the server cannot serve.
 */
export function resourceCapabilities(upstream: Client): ServerCapabilities {
  const capabilities = upstream.getServerCapabilities() ?? {};
  return {
    ...(capabilities.resources === undefined
      ? {}
      : {
          resources: {
            listChanged: true,
            ...(capabilities.resources.subscribe === true ? { subscribe: true } : {}),
          },
        }),
    ...(capabilities.prompts === undefined ? {} : { prompts: { listChanged: true } }),
  };
}

/** Registers the resource and prompt handlers and forwards the upstream notifications. */
export function registerResourceHandlers(options: ResourceProxyOptions): void {
  const capabilities = options.upstream.getServerCapabilities() ?? {};
  if (capabilities.resources !== undefined) {
    registerResources(options, capabilities.resources.subscribe === true);
  }
  if (capabilities.prompts !== undefined) {
    registerPrompts(options);
  }
}

function registerResources(options: ResourceProxyOptions, subscribe: boolean): void {
  const { server, upstream, logger } = options;
  server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    const page = await upstream.listResources(request.params);
    return { ...page, resources: visible(page.resources, resourceFinding, logger) };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (request) => {
    const page = await upstream.listResourceTemplates(request.params);
    return {
      ...page,
      resourceTemplates: visible(page.resourceTemplates, resourceFinding, logger),
    };
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params;
    const decision = await options.decide(readCall(options.serverName, uri));
    logger.info('MCP resource read decided', {
      uri,
      verdict: decision.verdict,
      rule: decision.rule,
    });
    if (decision.verdict !== 'allow') {
      throw new McpError(ErrorCode.InvalidRequest, options.describe(decision));
    }
    return options.redact(await upstream.readResource(request.params));
  });
  if (subscribe) {
    server.setRequestHandler(SubscribeRequestSchema, (request) =>
      upstream.subscribeResource(request.params),
    );
    server.setRequestHandler(UnsubscribeRequestSchema, (request) =>
      upstream.unsubscribeResource(request.params),
    );
    upstream.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) =>
      server.sendResourceUpdated(notification.params),
    );
  }
  upstream.setNotificationHandler(ResourceListChangedNotificationSchema, () =>
    server.sendResourceListChanged(),
  );
}

function registerPrompts(options: ResourceProxyOptions): void {
  const { server, upstream, logger } = options;
  server.setRequestHandler(ListPromptsRequestSchema, async (request) => {
    const page = await upstream.listPrompts(request.params);
    return { ...page, prompts: visible(page.prompts, promptFinding, logger) };
  });
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    // A prompt left out of the list stays unusable even when its name is known.
    const prompt = await findPrompt(upstream, request.params.name);
    const finding = prompt === undefined ? undefined : promptFinding(prompt);
    if (finding !== undefined) {
      throw new McpError(ErrorCode.InvalidRequest, options.describe(finding));
    }
    return options.redact(await upstream.getPrompt(request.params));
  });
  upstream.setNotificationHandler(PromptListChangedNotificationSchema, () =>
    server.sendPromptListChanged(),
  );
}

/**
 * Returns the call the guard decides for a resource read. A `file:` URI is a file read, so
 * it gets the Read tool's checks (credential files, `.env`); any other URI is checked as
 * the MCP call `mcp__<server>__read_resource` with the URI as its argument. The guard sees
 * the URI fully percent-decoded. So `repo://%2Fhome%2Fdev%2F.ssh%2Fid_rsa` meets the same
 * rules as `repo:///home/dev/.ssh/id_rsa`.
 *
 * @throws McpError `InvalidParams` when the URI has an invalid percent-encoding, or is a
 * `file:` URI with a host or an encoded `/`.
 */
export function readCall(serverName: string, uri: string): ToolCall {
  let decoded: string;
  try {
    decoded = decodePercentFully(uri);
  } catch (error) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `The resource URI "${uri}" has an invalid percent-encoding (${(error as Error).message}); encode each byte once as %XX and a literal "%" as %25, with no "%" left after decoding`,
    );
  }
  if (uri.startsWith('file:')) {
    return { tool: 'Read', input: { file_path: localFilePath(uri) } };
  }
  return { tool: `mcp__${serverName}__read_resource`, input: { uri: decoded } };
}

/** Returns the fully decoded path of a local `file:` URI; its query and fragment are not part of it. */
function localFilePath(uri: string): string {
  try {
    const url = new URL(uri);
    // fileURLToPath rejects a host and an encoded `/`, which no local path has.
    fileURLToPath(url);
    return decodePercentFully(url.pathname);
  } catch {
    throw new McpError(
      ErrorCode.InvalidParams,
      `The resource URI "${uri}" is not a valid local file URI; use file:///absolute/path`,
    );
  }
}

function visible<T extends { name: string }>(
  items: readonly T[],
  check: (item: T) => Finding | undefined,
  logger: Logger,
): T[] {
  return items.filter((item) => {
    const finding = check(item);
    if (finding !== undefined) {
      logger.warn('MCP entry hidden', { name: item.name, rule: finding.rule });
    }
    return finding === undefined;
  });
}

/** Scans a resource or template: its name, title, description and URI reach the model. */
function resourceFinding(resource: Resource | ResourceTemplate): Finding | undefined {
  const uri = 'uri' in resource ? resource.uri : resource.uriTemplate;
  return scanToolDefinition({
    name: resource.name,
    ...(resource.title === undefined ? {} : { title: resource.title }),
    ...(resource.description === undefined ? {} : { description: resource.description }),
    inputSchema: { uri },
  });
}

/** Scans a prompt: its name, title, description and argument descriptions reach the model. */
function promptFinding(prompt: Prompt): Finding | undefined {
  return scanToolDefinition({
    name: prompt.name,
    ...(prompt.title === undefined ? {} : { title: prompt.title }),
    ...(prompt.description === undefined ? {} : { description: prompt.description }),
    inputSchema: prompt.arguments ?? [],
  });
}

/** Looks a prompt up by name through every page of the upstream list. */
async function findPrompt(upstream: Client, name: string): Promise<Prompt | undefined> {
  let cursor: string | undefined;
  // Bounded: a server that keeps returning cursors is read for at most 100 pages.
  for (let page = 0; page < 100; page += 1) {
    const result = await upstream.listPrompts(cursor === undefined ? {} : { cursor });
    const found = result.prompts.find((prompt) => prompt.name === name);
    if (found !== undefined || result.nextCursor === undefined) {
      return found;
    }
    cursor = result.nextCursor;
  }
  return undefined;
}
