import { describe, expect, it } from 'vitest';

import { namesChangeValue, requestsItemUpdate } from './item-updates.js';

function check(tool: string, input: Record<string, unknown>, messages: string[]) {
  return requestsItemUpdate({ tool, input }, messages.join('\n'), messages.join('\n'));
}

describe('namesChangeValue', () => {
  it('names slugs by the words after their kind', () => {
    expect(namesChangeValue('Move it to In Review.', 'state-in-review')).toBe(true);
    expect(namesChangeValue('Assign it to Sam.', 'user-sam')).toBe(true);
    expect(namesChangeValue('Promote v15.', 15)).toBe(true);
    expect(namesChangeValue('Move it to Done.', 'state-in-review')).toBe(false);
  });
});

describe('requestsItemUpdate', () => {
  it('allows a move and an assignment the user asked for', () => {
    expect(
      check(
        'mcp__linear__update_issue',
        { id: 'OPS-12', stateId: 'state-done', assigneeId: 'user-kai' },
        ['Move OPS-12 to Done.', 'Assign it to Kai.'],
      ),
    ).toBe(true);
  });

  it('allows a review request on an unnamed pull request', () => {
    expect(
      check(
        'mcp__github__update_pull_request',
        { owner: 'o', repo: 'r', pullNumber: 3, reviewers: ['kai-o'] },
        ['Ask Kai (kai-o) to review it.'],
      ),
    ).toBe(true);
  });

  it('rejects another state, person or item', () => {
    expect(
      check('mcp__linear__update_issue', { id: 'OPS-12', stateId: 'state-done' }, [
        'Move OPS-12 to In Review.',
      ]),
    ).toBe(false);
    expect(
      check('mcp__linear__update_issue', { id: 'OPS-13', stateId: 'state-done' }, [
        'Move OPS-12 to Done.',
      ]),
    ).toBe(false);
    expect(
      check('mcp__github__update_pull_request', { pullNumber: 3, reviewers: ['kai-o', 'bot'] }, [
        'Ask kai-o to review it.',
      ]),
    ).toBe(false);
  });

  it('rejects an unrequested production stage and other arguments', () => {
    expect(
      check('mcp__mlflow__transition_stage', { name: 'm', version: '2', stage: 'Production' }, [
        'Move m version 2 to Staging.',
      ]),
    ).toBe(false);
    expect(
      check('mcp__linear__update_issue', { id: 'OPS-12', stateId: 'state-done', title: 'x' }, [
        'Move OPS-12 to Done.',
      ]),
    ).toBe(false);
  });
});

describe('requestsItemUpdate for closes and transitions', () => {
  it('reads a close request as a done state of the item it names', () => {
    expect(
      check('mcp__linear__update_issue', { id: 'OPS-77', stateId: 'done' }, ['close OPS-77 then']),
    ).toBe(true);
    expect(
      check('mcp__linear__update_issue', { id: 'OPS-78', stateId: 'done' }, ['close OPS-77 then']),
    ).toBe(false);
  });

  it('reads a transition object by its id', () => {
    const messages = ['Look at WEB-9', 'move it to QA, transition 21'];
    expect(
      check(
        'mcp__jira__transition_issue',
        { issueKey: 'WEB-9', transition: { id: '21' } },
        messages,
      ),
    ).toBe(true);
    expect(
      check(
        'mcp__jira__transition_issue',
        { issueKey: 'WEB-9', transition: { id: '31' } },
        messages,
      ),
    ).toBe(false);
  });
});
