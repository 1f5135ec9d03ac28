import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DANGER_RULES } from './rules.js';

const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'guard');

/** Texts that rules with a `requires` pattern match, in the shapes each alternative takes. */
const MATCHED_TEXTS: Record<string, string[]> = {
  'deploy-production': [
    'kubectl apply -f k8s/ --context prod-eu',
    'npm run deploy -- --env=production',
    'helm upgrade api ./chart -n live',
    'PROD_DB_URL=postgres://db release',
    'fly deploy --app api_prod',
    'DEPLOY --ENV PRODUCTION',
  ],
  'token-in-url': [
    'git clone https://user:${GITHUB_TOKEN}@github.com/acme/app',
    'git remote add origin https://bob:s3cr3tpassword@github.com/acme/app.git',
    'docker build --build-arg NPM_TOKEN=abc .',
    'DOCKER BUILD --BUILD-ARG API_KEY=abc .',
  ],
};

/** Returns every Bash command of the guard's labelled fixtures. */
function fixtureCommands(): string[] {
  const commands: string[] = [];
  for (const file of readdirSync(FIXTURE_DIR).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(FIXTURE_DIR, file), 'utf8').split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const item = JSON.parse(line) as { input?: { command?: unknown } };
      if (typeof item.input?.command === 'string') {
        commands.push(item.input.command);
      }
    }
  }
  return commands;
}

describe('danger rule prefilters', () => {
  const filtered = DANGER_RULES.filter((rule) => rule.requires !== undefined);

  it('cover every rule with a prefilter', () => {
    expect(filtered.map((rule) => rule.id).sort()).toEqual(Object.keys(MATCHED_TEXTS).sort());
  });

  for (const rule of filtered) {
    it(`match what ${rule.id} matches`, () => {
      for (const text of MATCHED_TEXTS[rule.id] ?? []) {
        expect(rule.pattern.test(text), text).toBe(true);
        expect(rule.requires?.test(text), text).toBe(true);
      }
    });
  }

  it('match every fixture command their rule matches', () => {
    const commands = fixtureCommands();
    for (const rule of filtered) {
      const missed = commands.filter(
        (command) => rule.pattern.test(command) && rule.requires?.test(command) !== true,
      );
      expect(missed, rule.id).toEqual([]);
    }
  });
});
