import { describe, expect, it } from 'vitest';
import { EnvelopeScanner } from './mcp-envelope.js';

function scan(json: string, pieceBytes = json.length): ReturnType<EnvelopeScanner['envelope']> {
  const scanner = new EnvelopeScanner();
  const bytes = Buffer.from(json);
  for (let start = 0; start < bytes.length; start += pieceBytes) {
    scanner.feed(bytes.subarray(start, start + pieceBytes));
  }
  return scanner.envelope();
}

describe('EnvelopeScanner', () => {
  it('reads the id after a result', () => {
    const json = JSON.stringify({
      result: { content: [{ type: 'text', text: 'x'.repeat(10_000) }], id: 99 },
      jsonrpc: '2.0',
      id: 7,
    });
    expect(scan(json)).toEqual({ id: 7, isResponse: true });
  });

  it('reads an id split across pieces', () => {
    const json = JSON.stringify({ jsonrpc: '2.0', id: 'req-12', error: { code: 1, message: 'm' } });
    for (const pieceBytes of [1, 2, 3, 7]) {
      expect(scan(json, pieceBytes)).toEqual({ id: 'req-12', isResponse: true });
    }
  });

  it('skips quotes and brackets inside strings', () => {
    const text = 'a "quoted" \\" {"id": 5} [ ] , : \\\\';
    const json = JSON.stringify({ result: { text }, note: text, jsonrpc: '2.0', id: 3 });
    for (const pieceBytes of [json.length, 1, 2, 5]) {
      expect(scan(json, pieceBytes)).toEqual({ id: 3, isResponse: true });
    }
  });

  it('reads a request or notification', () => {
    expect(scan('{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage","params":{}}')).toEqual({
      id: 4,
      method: 'sampling/createMessage',
      isResponse: false,
    });
    expect(scan('{"jsonrpc":"2.0","method":"notifications/message","params":{"id":1}}')).toEqual({
      method: 'notifications/message',
      isResponse: false,
    });
  });

  it('ignores an id that is no number or string', () => {
    expect(scan('{"result":{},"id":{"a":1}}')).toEqual({ isResponse: true });
    expect(scan(`{"result":{},"id":"${'9'.repeat(300)}"}`)).toEqual({ isResponse: true });
  });

  it('ignores an overlong key', () => {
    expect(scan(`{"${'k'.repeat(300)}":"id","id":2,"result":{}}`)).toEqual({
      id: 2,
      isResponse: true,
    });
  });

  it('returns no id for invalid JSON', () => {
    expect(scan('not json at all')).toEqual({ isResponse: false });
  });
});
