import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStage2Prompt, createStage2 } from './stage2.js';
import type { Finding } from './findings.js';
import type { ToolCall } from './types.js';

const call: ToolCall = { tool: 'Bash', input: { command: 'eval "$X"' } };
const finding: Finding = { category: 'unparsed', reason: 'cannot read', rule: 'stage1:unparsed' };

interface Seen {
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
/** Next reply of the mock: a status and a JSON body, or 'hang' to send nothing. */
let nextReply: { status: number; body: unknown } | 'hang' = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      seen.push({ path: request.url ?? '', body, headers: request.headers });
      if (nextReply === 'hang') {
        return;
      }
      response.writeHead(nextReply.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(nextReply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const openAiAnswer = (content: string) => ({
  status: 200,
  body: { choices: [{ message: { content } }] },
});

describe('stage 2', () => {
  it('sends only the user messages and the action', () => {
    const prompt = buildStage2Prompt(call, ['Run the setup.']);
    expect(prompt.user).toBe(
      `User messages:\n1. Run the setup.\n\nProposed action:\n${JSON.stringify(call)}`,
    );
    expect(prompt.system).not.toContain('assistant');
  });

  it('allows when an OpenAI-compatible endpoint says allow', async () => {
    nextReply = openAiAnswer('{"verdict": "allow", "reason": "the user asked"}');
    const stage2 = createStage2({ provider: 'openai', baseUrl, model: 'm', apiKey: 'k' });
    const decision = await stage2.classify(call, ['Run it.'], finding);
    expect(decision.verdict).toBe('allow');
    expect(decision.stage).toBe('stage2');
    const request = seen.at(-1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer k');
    const body = JSON.parse(request?.body ?? '{}') as {
      messages: { role: string; content: string }[];
    };
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(body.messages[1]?.content).toBe(buildStage2Prompt(call, ['Run it.']).user);
  });

  it('denies when the Anthropic Messages API says block', async () => {
    nextReply = {
      status: 200,
      body: { content: [{ type: 'text', text: '{"verdict":"block","reason":"exfil"}' }] },
    };
    const stage2 = createStage2({ provider: 'anthropic', baseUrl, model: 'm', apiKey: 'k' });
    const decision = await stage2.classify(call, ['Run it.'], finding);
    expect(decision.verdict).toBe('deny');
    const request = seen.at(-1);
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe('k');
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it.each([
    ['an HTTP error', { status: 500, body: { error: 'boom' } }],
    ['an answer that is not JSON', openAiAnswer('sure, go ahead')],
    ['an unknown verdict', openAiAnswer('{"verdict":"maybe"}')],
  ])('fails closed to ask on %s', async (_kind, reply) => {
    nextReply = reply;
    const stage2 = createStage2({ provider: 'openai', baseUrl, model: 'm' });
    const decision = await stage2.classify(call, [], finding);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('unparsed');
  });

  it('fails closed to ask on a timeout', async () => {
    nextReply = 'hang';
    const stage2 = createStage2({ provider: 'openai', baseUrl, model: 'm', timeoutMs: 200 });
    const decision = await stage2.classify(call, [], finding);
    expect(decision.verdict).toBe('ask');
    expect(decision.reason).toMatch(/Stage 2 failed/);
  });

  it('rejects an invalid base URL', () => {
    expect(() => createStage2({ provider: 'openai', baseUrl: 'not a url', model: 'm' })).toThrow(
      /baseUrl "not a url"/,
    );
  });
});
