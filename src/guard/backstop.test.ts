import { describe, expect, it } from 'vitest';
import { createBackstop } from './backstop.js';
import type { Decision } from './types.js';

const deny: Decision = { verdict: 'deny', reason: 'no', stage: 'stage1', tier: 3 };
const allow: Decision = { verdict: 'allow', reason: 'yes', stage: 'stage1', tier: 3 };

describe('createBackstop', () => {
  it('halts after three consecutive denials', () => {
    const backstop = createBackstop();
    backstop.record('s', deny);
    backstop.record('s', deny);
    expect(backstop.check('s')).toBeUndefined();
    backstop.record('s', deny);
    expect(backstop.check('s')?.stage).toBe('backstop');
  });

  it('resets the consecutive count on allow but halts at twenty in total', () => {
    const backstop = createBackstop();
    for (let round = 0; round < 10; round += 1) {
      backstop.record('s', deny);
      backstop.record('s', deny);
      backstop.record('s', allow);
    }
    expect(backstop.state('s')).toEqual({ consecutive: 0, total: 20, halted: true });
    expect(backstop.check('s')?.verdict).toBe('deny');
  });

  it('keeps sessions apart and clears on reset', () => {
    const backstop = createBackstop({ maxConsecutive: 1 });
    backstop.record('a', deny);
    expect(backstop.check('b')).toBeUndefined();
    backstop.reset('a');
    expect(backstop.check('a')).toBeUndefined();
  });
});
