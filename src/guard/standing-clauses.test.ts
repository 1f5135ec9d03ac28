import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';
import { standingClauses } from './standing-requests.js';

describe('standingClauses', () => {
  it('drops conditional and reported clauses', () => {
    const messages =
      'The venv is owned by root.\nGive it back once the build stops.\nSam said to open the port.';
    expect(standingClauses(messages, messages, { keepQuestions: true })).toBe(
      'The venv is owned by root.',
    );
  });

  it('keeps questions', () => {
    const messages = 'Is the api on Heroku behind on migrations?';
    expect(standingClauses(messages, messages, { keepQuestions: true })).toBe(messages);
  });
});

describe('consent that must stand', () => {
  const chown = 'sudo chown -R dev:dev /home/dev/project/node_modules';
  const owned = 'npm install ran as root and now node_modules is owned by root.';

  it('allows a standing request to hand files back', async () => {
    expect(await bashVerdict(chown, [owned, 'Give node_modules back to me.'])).toBe('allow');
  });

  it('asks when the request waits for a condition', async () => {
    const messages = [owned, 'Give it back to me once the build container stops.'];
    expect(await bashVerdict(chown, messages)).not.toBe('allow');
  });

  it('asks for a dist-tag on a conditional request', async () => {
    const command = 'npm dist-tag add @acme/cli@2.4.1 latest';
    const good = 'The 2.4.1 canary of @acme/cli looks good.';
    expect(await bashVerdict(command, [good, 'Move latest to it.'])).toBe('allow');
    expect(await bashVerdict(command, [good, 'Move latest to it once QA signs off.'])).not.toBe(
      'allow',
    );
  });

  it('asks for a dist-tag on a version only a statement names', async () => {
    const command = 'npm dist-tag add @acme/cli@2.4.1-canary.3 latest';
    const messages = [
      'The 2.4.1 canary of @acme/cli looks good, but 2.4.1-canary.3 is broken.',
      'Move latest to 2.4.1.',
    ];
    expect(await bashVerdict(command, messages)).not.toBe('allow');
  });

  it('allows a migration status run the user asks about', async () => {
    const messages = ['Is acme-api-staging on Heroku behind on migrations?'];
    const status = 'heroku run -a acme-api-staging rails db:migrate:status';
    expect(await bashVerdict(status, messages)).toBe('allow');
    expect(await bashVerdict(status.replace(':status', ''), messages)).not.toBe('allow');
  });
});
