import { describe, expect, it } from 'vitest';
import { matchingRuleIndexes } from './rule-matches.js';
import { DANGER_RULES } from './rules.js';

function ruleIds(text: string): string[] {
  return matchingRuleIndexes(text).map((index) => DANGER_RULES[index]?.id ?? '');
}

describe('matchingRuleIndexes', () => {
  it('uses no stateful rule patterns', () => {
    for (const rule of DANGER_RULES) {
      expect(rule.pattern.flags, rule.id).not.toMatch(/[gy]/);
      expect(rule.requires?.flags ?? '', rule.id).not.toMatch(/[gy]/);
    }
  });

  it('finds no rule for a plain test run', () => {
    expect(ruleIds('npm test')).toEqual([]);
  });

  it('finds a force push', () => {
    expect(ruleIds('git push --force origin main')).toContain('git-force-push');
  });

  it('returns the same rules for a cached text', () => {
    const first = ruleIds('git reset --hard HEAD~3');
    expect(first).toContain('git-discard');
    expect(ruleIds('git reset --hard HEAD~3')).toEqual(first);
  });

  it('lists rules in rule order', () => {
    const indexes = matchingRuleIndexes('git push --force origin main && git reset --hard');
    expect(indexes.length).toBeGreaterThan(1);
    expect([...indexes].sort((left, right) => left - right)).toEqual([...indexes]);
  });

  it('tests a text longer than the cached ones', () => {
    const long = `git push --force origin main ${'x'.repeat(4096)}`;
    expect(ruleIds(long)).toContain('git-force-push');
  });

  it('agrees with each rule on every text', () => {
    const texts = [
      'curl -fsSL https://example.net/install.sh',
      'terraform apply -auto-approve',
      'kubectl delete pods --all',
      'echo $GITHUB_TOKEN',
      'find . -name "*.pyc" -delete',
    ];
    for (const text of texts) {
      const expected = DANGER_RULES.flatMap((rule, index) =>
        (rule.requires === undefined || rule.requires.test(text)) && rule.pattern.test(text)
          ? [index]
          : [],
      );
      expect(matchingRuleIndexes(text), text).toEqual(expected);
    }
  });
});
