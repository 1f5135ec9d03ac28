import { describe, expect, it } from 'vitest';
import { setsNamedConfigParameter } from './config-parameters.js';
import { simpleCommand } from '../../test/helpers/guard.js';

const ASKED = 'Lower the batch size in qa to 200, the param is /shop/qa/worker/batch_size';

function put(...rest: string[]): ReturnType<typeof simpleCommand> {
  return simpleCommand('aws', 'ssm', 'put-parameter', ...rest);
}

describe('setsNamedConfigParameter', () => {
  it('allows the named plain parameter', () => {
    const command = put('--name', '/shop/qa/worker/batch_size', '--type', 'String');
    command.argv.push('--value', '200', '--overwrite');
    expect(setsNamedConfigParameter(command, ASKED)).toBe(true);
  });

  it.each([
    ['a SecureString', ['--name', '/shop/qa/worker/batch_size', '--type', 'SecureString']],
    ['no type', ['--name', '/shop/qa/worker/batch_size']],
    ['another path', ['--name', '/shop/qa/worker/max_size', '--type', 'String']],
    [
      'a production profile',
      ['--name', '/shop/qa/worker/batch_size', '--type', 'String', '--profile', 'prod'],
    ],
    [
      'an unknown option',
      ['--name', '/shop/qa/worker/batch_size', '--type', 'String', '--tier', 'Advanced'],
    ],
  ])('rejects %s', (_, args) => {
    const command = put(...args, '--value', '200', '--overwrite');
    expect(setsNamedConfigParameter(command, ASKED)).toBe(false);
  });

  it('rejects a value the user did not give', () => {
    const command = put('--name', '/shop/qa/worker/batch_size', '--type', 'String');
    command.argv.push('--value', '2000', '--overwrite');
    expect(setsNamedConfigParameter(command, ASKED)).toBe(false);
  });

  it('needs a request to change it', () => {
    const command = put('--name', '/shop/qa/worker/batch_size', '--type', 'String');
    command.argv.push('--value', '200');
    expect(setsNamedConfigParameter(command, 'what is /shop/qa/worker/batch_size? 200?')).toBe(
      false,
    );
  });
});
