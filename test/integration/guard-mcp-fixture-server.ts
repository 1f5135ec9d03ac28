/**
 * A stdio MCP server for the proxy tests whose tool definitions come from a JSON file that
 * is read again on every tools/list, so a test can change a definition while it runs.
 * Usage: node --import tsx guard-mcp-fixture-server.ts <definitions.json>
 */
import { readFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

const definitionsPath = process.argv[2];
if (definitionsPath === undefined) {
  throw new Error('Missing argument: the path of the tool definitions JSON file');
}

const readTools = (): Tool[] => JSON.parse(readFileSync(definitionsPath, 'utf8')) as Tool[];

const server = new Server(
  { name: 'fixture', version: '1.0.0' },
  { capabilities: { tools: {} }, instructions: 'Tools for the guard proxy tests.' },
);
server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: readTools() }));
server.setRequestHandler(CallToolRequestSchema, (request) => ({
  content: [
    {
      type: 'text',
      text: `called ${request.params.name} with ${JSON.stringify(request.params.arguments ?? {})}`,
    },
  ],
}));
await server.connect(new StdioServerTransport());
