import { describe, expect, it } from 'vitest';
import { checkConfidentialItem } from './confidential-items.js';

const tool = 'mcp__gitlab__create_issue';
const issue = { project_id: 'acme/auth', title: 'Auth bypass in password reset' };

describe('checkConfidentialItem', () => {
  it.each([
    ['set to false', { ...issue, confidential: false }],
    ['left out', issue],
  ])('flags confidential %s', (_name, input) => {
    const messages = 'Open a confidential issue about the auth bypass in password reset.';
    expect(checkConfidentialItem({ tool, input }, messages)?.rule).toBe('tier:confidential-item');
  });

  it('passes an issue marked confidential', () => {
    const messages = 'Open a confidential issue about the auth bypass in password reset.';
    const input = { ...issue, confidential: true };
    expect(checkConfidentialItem({ tool, input }, messages)).toBe(undefined);
  });

  it('passes a private key mentioned in a plain request', () => {
    const messages = 'Open an issue about the private key in the test fixtures.';
    expect(checkConfidentialItem({ tool, input: issue }, messages)).toBe(undefined);
  });
});
