/**
 * The denial backstop: counts denials per session and halts the session after too many,
 * so an agent that keeps trying blocked actions stops and a human looks at it.
 */
import type { Decision } from './types.js';

/** Options for {@link createBackstop}. */
export interface BackstopOptions {
  /** Consecutive denials that halt the session. @default 3 */
  maxConsecutive?: number;
  /** Denials in total that halt the session. @default 20 */
  maxTotal?: number;
}

/** Denial counts of one session. */
export interface BackstopState {
  consecutive: number;
  total: number;
  halted: boolean;
}

/** Per-session denial counter. */
export interface Backstop {
  /** Returns a `deny` decision when the session is halted, otherwise undefined. */
  check(sessionId: string): Decision | undefined;
  /** Records a decision; `deny` and `ask` count as denials, `allow` resets the consecutive count. */
  record(sessionId: string, decision: Decision): void;
  state(sessionId: string): BackstopState;
  /** Clears a session's counts after a human reviewed it. */
  reset(sessionId: string): void;
}

/**
 * Creates a backstop that halts a session after `maxConsecutive` denials in a row or
 * `maxTotal` denials in all.
 *
 * @example
 * const backstop = createBackstop();
 * backstop.record('s1', decision);
 * backstop.check('s1'); // a deny decision once the session is halted
 */
export function createBackstop(options: BackstopOptions = {}): Backstop {
  const maxConsecutive = options.maxConsecutive ?? 3;
  const maxTotal = options.maxTotal ?? 20;
  const sessions = new Map<string, BackstopState>();

  const stateOf = (sessionId: string): BackstopState => {
    let state = sessions.get(sessionId);
    if (state === undefined) {
      state = { consecutive: 0, total: 0, halted: false };
      sessions.set(sessionId, state);
    }
    return state;
  };

  return {
    check(sessionId) {
      const state = stateOf(sessionId);
      if (!state.halted) {
        return undefined;
      }
      return haltedDecision(sessionId, state, maxConsecutive, maxTotal);
    },
    record(sessionId, decision) {
      const state = stateOf(sessionId);
      if (decision.verdict === 'allow') {
        state.consecutive = 0;
        return;
      }
      state.consecutive += 1;
      state.total += 1;
      if (state.consecutive >= maxConsecutive || state.total >= maxTotal) {
        state.halted = true;
      }
    },
    state: (sessionId) => ({ ...stateOf(sessionId) }),
    reset(sessionId) {
      sessions.delete(sessionId);
    },
  };
}

/**
 * Returns the `deny` decision for the halted session `sessionId`. `review` is what a human
 * must do before the session continues.
 */
export function haltedDecision(
  sessionId: string,
  state: BackstopState,
  maxConsecutive: number,
  maxTotal: number,
  review = 'review it',
): Decision {
  return {
    verdict: 'deny',
    stage: 'backstop',
    tier: 3,
    category: 'backstop',
    rule: `backstop: ${maxConsecutive} consecutive or ${maxTotal} total denials`,
    reason: `Session "${sessionId}" is halted after ${state.total} denials (${state.consecutive} in a row); a human must ${review} before it continues`,
  };
}
