/**
 * Resources and prompts for the MCP proxy: lists are forwarded with the entries whose
 * descriptions carry instructions for the model left out (the same scan as for tool
 * definitions), reads and prompt gets go through the guard first, and the upstream
 * server's change notifications are passed on. Hidden entries stay unusable by name or URI,
 * and the text of reads and prompts is scanned for injected instructions.
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
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
import { scanContent, scanToolDefinition } from './mcp-scan.js';
import { redactSecrets } from './redact.js';
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
    const call = readCall(options.serverName, uri);
    // A resource left out of the list stays unreadable even when its URI is known.
    const hidden = await hiddenResourceFinding(upstream, [uri, decodePercentFully(uri)]);
    if (hidden !== undefined) {
      logger.warn('MCP resource read rejected', { uri: redactSecrets(uri), rule: hidden.rule });
      throw new McpError(ErrorCode.InvalidRequest, options.describe(hidden));
    }
    const decision = await options.decide(call);
    // A URI can carry a token in its query, and logs must not.
    logger.info('MCP resource read decided', {
      uri: redactSecrets(uri),
      verdict: decision.verdict,
      rule: decision.rule,
    });
    if (decision.verdict !== 'allow') {
      throw new McpError(ErrorCode.InvalidRequest, options.describe(decision));
    }
    const result = options.redact(await upstream.readResource(request.params));
    withholdInjected(options, `resource "${uri}"`, result.contents);
    return result;
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
    const result = options.redact(await upstream.getPrompt(request.params));
    withholdInjected(options, `prompt "${request.params.name}"`, result);
    return result;
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

/** Scans a resource or template: its name, title, description, URI and `_meta`. */
function resourceFinding(resource: Resource | ResourceTemplate): Finding | undefined {
  const uri = 'uri' in resource ? resource.uri : resource.uriTemplate;
  return scanToolDefinition({
    name: resource.name,
    ...(resource.title === undefined ? {} : { title: resource.title }),
    ...(resource.description === undefined ? {} : { description: resource.description }),
    inputSchema: { uri },
    _meta: resource._meta,
  });
}

/** Scans a prompt: its name, title, description, argument descriptions and `_meta`. */
function promptFinding(prompt: Prompt): Finding | undefined {
  return scanToolDefinition({
    name: prompt.name,
    ...(prompt.title === undefined ? {} : { title: prompt.title }),
    ...(prompt.description === undefined ? {} : { description: prompt.description }),
    inputSchema: prompt.arguments ?? [],
    _meta: prompt._meta,
  });
}

/** Most pages of an upstream list read, so a server that keeps returning cursors cannot loop. */
const MAX_LIST_PAGES = 100;

/** Looks a prompt up by name through every page of the upstream list. */
async function findPrompt(upstream: Client, name: string): Promise<Prompt | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const result = await upstream.listPrompts(cursor === undefined ? {} : { cursor });
    const found = result.prompts.find((prompt) => prompt.name === name);
    if (found !== undefined || result.nextCursor === undefined) {
      return found;
    }
    cursor = result.nextCursor;
  }
  return undefined;
}

/**
 * Returns the finding of a resource hidden from the list whose URI is one of `uris`, or of a
 * hidden template that matches one of them, searching every page of the upstream lists.
 */
async function hiddenResourceFinding(
  upstream: Client,
  uris: readonly string[],
): Promise<Finding | undefined> {
  const names = (uri: string): boolean => uris.includes(uri) || uris.includes(decodedOrSelf(uri));
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const result = await upstream.listResources(cursor === undefined ? {} : { cursor });
    const finding = firstFinding(result.resources.filter((resource) => names(resource.uri)));
    if (finding !== undefined) {
      return finding;
    }
    cursor = result.nextCursor;
    if (cursor === undefined) {
      break;
    }
  }
  cursor = undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const result = await listTemplatesPage(upstream, cursor);
    const matching = result.resourceTemplates.filter((template) =>
      uris.some((uri) => matchesTemplate(template.uriTemplate, uri)),
    );
    const finding = firstFinding(matching);
    if (finding !== undefined || result.nextCursor === undefined) {
      return finding;
    }
    cursor = result.nextCursor;
  }
  return undefined;
}

/** Reads one page of resource templates; a server without the method has none. */
async function listTemplatesPage(
  upstream: Client,
  cursor: string | undefined,
): Promise<{ resourceTemplates: ResourceTemplate[]; nextCursor?: string }> {
  try {
    return await upstream.listResourceTemplates(cursor === undefined ? {} : { cursor });
  } catch (error) {
    if (error instanceof McpError && error.code === ErrorCode.MethodNotFound) {
      return { resourceTemplates: [] };
    }
    throw error;
  }
}

function firstFinding(entries: readonly (Resource | ResourceTemplate)[]): Finding | undefined {
  for (const entry of entries) {
    const finding = resourceFinding(entry);
    if (finding !== undefined) {
      return finding;
    }
  }
  return undefined;
}

function matchesTemplate(uriTemplate: string, uri: string): boolean {
  try {
    return new UriTemplate(uriTemplate).match(uri) !== null;
  } catch {
    // A template the SDK cannot parse cannot be matched, so it hides nothing.
    return false;
  }
}

function decodedOrSelf(uri: string): string {
  try {
    return decodePercentFully(uri);
  } catch {
    return uri;
  }
}

/**
 * Throws when the text of a resource read or prompt result carries instructions for the
 * model, the same scan as for descriptions but narrower (see {@link scanContent}).
 */
function withholdInjected(options: ResourceProxyOptions, label: string, result: unknown): void {
  const finding = scanContent(label, textsOf(result));
  if (finding === undefined) {
    return;
  }
  options.logger.warn('MCP content withheld', { label, rule: finding.rule });
  throw new McpError(ErrorCode.InvalidRequest, options.describe(finding));
}

/**
 * Returns a finding when the text of a tool call's result carries instructions for the model,
 * with the scan that resource and prompt contents get.
 */
export function scanToolResult(tool: string, result: unknown): Finding | undefined {
  return scanContent(`tool "${tool}" result`, textsOf(result));
}

/**
 * Collects the `text` and `description` strings of a result, where the model reads prose, and
 * the decoded text of base64 `blob`s that are valid UTF-8, which a client may show the model
 * as text just the same.
 */
function textsOf(value: unknown): string[] {
  const texts: string[] = [];
  const visit = (item: unknown, key: string, depth: number): void => {
    if (typeof item === 'string') {
      if (key === 'text' || key === 'description') {
        texts.push(item);
      } else if (key === 'blob') {
        const text = blobText(item);
        if (text !== undefined) {
          texts.push(text);
        }
      }
      return;
    }
    if (depth > 8 || typeof item !== 'object' || item === null) {
      return;
    }
    for (const [name, child] of Object.entries(item)) {
      visit(child, Array.isArray(item) ? key : name, depth + 1);
    }
  };
  visit(value, '', 0);
  return texts;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Returns a base64 blob decoded as UTF-8 text, or undefined when its bytes are not UTF-8. */
function blobText(blob: string): string | undefined {
  try {
    return UTF8.decode(Buffer.from(blob, 'base64'));
  } catch {
    // Binary data, such as an image or an archive, is not read by the model as prose.
    return undefined;
  }
}
