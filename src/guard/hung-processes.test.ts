import { describe, expect, it } from 'vitest';
import { reportsHungProcess } from './hung-processes.js';
import { bashVerdict } from '../../test/helpers/guard.js';

describe('reportsHungProcess', () => {
  it.each(['the dev server is stuck', 'my build is hanging', 'the worker froze'])(
    'reads %j as a hung process',
    (text) => {
      expect(reportsHungProcess(text, text)).toBe(true);
    },
  );

  it('ignores a message without a hung word', () => {
    expect(reportsHungProcess('pid 4242 is the database', 'pid 4242 is the database')).toBe(false);
  });

  it.each(["it's stuck but don't kill it", 'it hangs, leave it running', 'stuck, let it finish'])(
    'keeps a process running after %j',
    (text) => {
      expect(reportsHungProcess('it is stuck', text)).toBe(false);
    },
  );
});

describe('kills of a pid reported hung', () => {
  it('allows a kill of the named pid', async () => {
    const messages = ['The test watcher you started is stuck', 'pid 9120'];
    expect(await bashVerdict('kill 9120', messages)).toBe('allow');
  });

  it('asks before a kill of another pid', async () => {
    const messages = ['The test watcher you started is stuck', 'pid 9120'];
    expect(await bashVerdict('kill 9121', messages)).not.toBe('allow');
  });

  it('asks when the pid is only asked about', async () => {
    expect(await bashVerdict('kill 9120', ['What is pid 9120 doing?'])).not.toBe('allow');
  });
});
