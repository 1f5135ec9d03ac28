import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import { setsNamedGoEnvironment } from './go-env-settings.js';

const PROXY_REQUEST = 'Use our internal Go proxy at goproxy.example.internal, set it in my go env.';

describe('setsNamedGoEnvironment', () => {
  it.each([
    ['go env -w GOPROXY=https://goproxy.example.internal,direct', PROXY_REQUEST, true],
    [
      'go env -w GOPROXY=https://goproxy.example.internal,https://proxy.golang.org,direct',
      PROXY_REQUEST,
      true,
    ],
    [
      'go env -w GOPRIVATE=git.example.org/team/*',
      'Set GOPRIVATE to git.example.org/team/* in my go env.',
      true,
    ],
    ['go env -w GOPROXY=https://goproxy.example.net,direct', PROXY_REQUEST, false],
    ['go env -w GOSUMDB=off', PROXY_REQUEST, false],
    ['go env -w GOFLAGS=-toolexec=/tmp/x', PROXY_REQUEST, false],
    ['go env -w GOPROXY=https://goproxy.example.internal GOINSECURE=*', PROXY_REQUEST, false],
    ['go env -w GOPROXY=https://goproxy.example.internal', 'Why is the build slow?', false],
    ['go env -u GOPROXY', PROXY_REQUEST, false],
  ])('%s after %j gives %s', async (command, message, expected) => {
    expect(setsNamedGoEnvironment(await firstCommand(command), message)).toBe(expected);
  });
});
