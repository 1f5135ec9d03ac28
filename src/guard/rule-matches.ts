/**
 * Matches of the stage-1 danger rules by text, kept across decisions. Testing all of
 * {@link DANGER_RULES} costs about 8 µs on an 8-character text and 30 µs on a line of inline
 * Python (Node 20 on the 2-core benchmark machine of docs/benchmarks.md), the largest fixed
 * cost of a decision. Agents run the same commands again and again (`npm test`,
 * `git status`), and a long line repeats the same command, so most texts were tested before.
 */
import { DANGER_RULES } from './rules.js';

/** Maximum number of texts whose result is kept. */
const RULE_MATCH_CACHE_ENTRIES = 2048;
/** Maximum length of a kept text, in characters, which bounds the keys to 8 MiB at most. */
const RULE_MATCH_CACHE_MAX_LENGTH = 2048;
/** Result of a text that no rule matches, shared because most texts match none. */
const NO_RULES: readonly number[] = Object.freeze([]);

const ruleMatches = new Map<string, readonly number[]>();

/**
 * Returns the indexes in {@link DANGER_RULES} of the rules whose `requires` and `pattern` both
 * match `text`, in ascending order. No rule pattern has the `g` or `y` flag, so the result
 * depends on the text alone. Callers must not change the returned array.
 */
export function matchingRuleIndexes(text: string): readonly number[] {
  if (text.length > RULE_MATCH_CACHE_MAX_LENGTH) {
    return testRules(text);
  }
  let result = ruleMatches.get(text);
  if (result === undefined) {
    result = testRules(text);
    if (ruleMatches.size >= RULE_MATCH_CACHE_ENTRIES) {
      ruleMatches.clear();
    }
    // V8 keeps a substring as a view into its parent string, so a text sliced from a command
    // line would keep the whole line alive. The key is a copy of the characters instead.
    ruleMatches.set(` ${text}`.slice(1), result);
  }
  return result;
}

function testRules(text: string): readonly number[] {
  let indexes: number[] | undefined;
  for (let index = 0; index < DANGER_RULES.length; index += 1) {
    const rule = DANGER_RULES[index];
    if (
      rule !== undefined &&
      (rule.requires === undefined || rule.requires.test(text)) &&
      rule.pattern.test(text)
    ) {
      (indexes ??= []).push(index);
    }
  }
  return indexes ?? NO_RULES;
}
