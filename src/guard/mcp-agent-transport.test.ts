import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../core/logger.js';
import { AgentStdioTransport } from './mcp-agent-transport.js';
import { MessageLineReader } from './mcp-lines.js';

const LIMIT = 1024;

/** Starts a transport on in-memory streams and collects what it receives, sends and logs. */
async function startTransport(): Promise<{
  stdin: PassThrough;
  received: JSONRPCMessage[];
  sent: () => JSONRPCMessage[];
  log: () => string;
  closes: () => number;
}> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let output = '';
  stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let logged = '';
  const transport = new AgentStdioTransport({
    maxMessageBytes: LIMIT,
    logger: createJsonLogger((line) => (logged += line)),
    stdin,
    stdout,
  });
  const received: JSONRPCMessage[] = [];
  let closeCount = 0;
  transport.onmessage = (message) => received.push(message);
  transport.onclose = () => (closeCount += 1);
  await transport.start();
  return {
    stdin,
    received,
    sent: () =>
      output
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as JSONRPCMessage),
    log: () => logged,
    closes: () => closeCount,
  };
}

const request = (id: number, text: string): string =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text } } })}\n`;

/** Lets the stream deliver what was written. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AgentStdioTransport', () => {
  it('rejects an oversized request and continues', async () => {
    const agent = await startTransport();
    const big = request(1, 'x'.repeat(3 * LIMIT));
    for (let start = 0; start < big.length; start += 100) {
      agent.stdin.write(big.slice(start, start + 100));
    }
    agent.stdin.write(request(2, 'small'));
    await settle();

    const [reply] = agent.sent();
    expect(reply).toMatchObject({ id: 1, error: { code: -32600 } });
    expect(JSON.stringify(reply)).toContain("over the proxy's limit");
    expect(JSON.stringify(reply)).toContain('(1024 bytes)');
    expect(agent.received).toHaveLength(1);
    expect(agent.received[0]).toMatchObject({ id: 2, method: 'tools/call' });
    expect(agent.log()).toContain('MCP agent message discarded');
  });

  it('logs an oversized notification without replying', async () => {
    const agent = await startTransport();
    const notification = {
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { data: 'x'.repeat(2 * LIMIT) },
    };
    agent.stdin.write(`${JSON.stringify(notification)}\n`);
    agent.stdin.write(request(3, 'small'));
    await settle();

    expect(agent.sent()).toEqual([]);
    expect(agent.log()).toContain('"errorSent":false');
    expect(agent.received.map((message) => ('id' in message ? message.id : undefined))).toEqual([
      3,
    ]);
  });

  it('fails a pending request on an oversized reply', async () => {
    const agent = await startTransport();
    const reply = { jsonrpc: '2.0', id: 'ping-1', result: { data: 'x'.repeat(2 * LIMIT) } };
    agent.stdin.write(`${JSON.stringify(reply)}\n`);
    await settle();

    expect(agent.received).toHaveLength(1);
    expect(agent.received[0]).toMatchObject({ id: 'ping-1', error: { code: -32603 } });
  });

  it('reports the end of stdin once', async () => {
    const agent = await startTransport();
    agent.stdin.end();
    await settle();
    expect(agent.closes()).toBe(1);
  });
});

describe('MessageLineReader', () => {
  it('buffers at most the limit', () => {
    const lines: string[] = [];
    const oversized: number[] = [];
    const reader = new MessageLineReader(LIMIT, {
      onLine: (line) => lines.push(line),
      onOversized: (_envelope, bytes) => oversized.push(bytes),
    });
    const chunk = Buffer.from(`{"id":1,"text":"${'y'.repeat(300)}`);
    let maxBuffered = 0;
    for (let index = 0; index < 1000; index += 1) {
      reader.push(chunk);
      maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
    }
    expect(maxBuffered).toBeLessThanOrEqual(LIMIT);
    expect(reader.bufferedBytes).toBe(0);

    reader.push(Buffer.from('"}\n{"id":2}\r\n\n'));
    expect(oversized).toEqual([1000 * chunk.length + 2]);
    expect(lines).toEqual(['{"id":2}']);
  });
});
